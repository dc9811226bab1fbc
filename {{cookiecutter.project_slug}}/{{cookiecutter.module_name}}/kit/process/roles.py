"""Who does what: the roles of an ML project, what each stage asks of them, and who owns which path.

This is the one place where the roles, the stages and their asks are listed, in order; their titles
and sentences are in `messages.<language>.yaml` beside this file, under `roles.<role>` and
`stages.<stage>`. The roles page, CODEOWNERS and every owner tag in the documents are rendered from
both by `owners.py`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ask:
    """What a stage needs from some roles; `topic` names the request under `stages.<stage>.asks`."""

    roles: tuple[str, ...]
    topic: str


@dataclass(frozen=True)
class Stage:
    key: str
    owner: str
    document: str
    asks: tuple[Ask, ...]


# Sponsor first: a project without one is among the most common ways ML projects fail.
ROLES: tuple[str, ...] = (
    "sponsor",
    "product_manager",
    "business_analyst",
    "data_analyst",
    "architect",
    "devops_engineer",
    "software_engineer",
    "operator",
    "system_admin",
    "it_auditor",
    "data_architect",
    "domain_expert",
    "data_engineer",
    "data_scientist",
    "ml_engineer",
    "ml_operator",
    "model_risk_manager",
    "mlops_engineer",
    "ai_ml_architect",
)

# Business Understanding has no code, so its "folder" is its document.
STAGES: tuple[Stage, ...] = (
    Stage(
        "business_understanding",
        "product_manager",
        "docs/business-understanding.md",
        (
            Ask(("product_manager", "domain_expert"), "direction"),
            Ask(("system_admin", "it_auditor"), "past_costs"),
        ),
    ),
    Stage(
        "analyze",
        "data_analyst",
        "{module}/analyze/README.md",
        (
            Ask(("domain_expert",), "columns"),
            Ask(("data_architect", "data_engineer"), "access"),
        ),
    ),
    Stage(
        "prepare",
        "data_engineer",
        "{module}/prepare/README.md",
        (
            Ask(("product_manager",), "request"),
            Ask(("domain_expert",), "collection"),
        ),
    ),
    Stage(
        "preprocess",
        "data_engineer",
        "{module}/preprocess/README.md",
        (Ask(("data_analyst",), "current_preprocessing"),),
    ),
    Stage(
        "train",
        "data_scientist",
        "{module}/train/README.md",
        (Ask(("product_manager", "business_analyst", "data_analyst", "domain_expert"), "metric_meaning"),),
    ),
    Stage(
        "test",
        "ml_engineer",
        "{module}/test/README.md",
        (
            Ask(("data_scientist",), "model_level"),
            Ask(("devops_engineer", "architect"), "service_level"),
            Ask(("product_manager", "domain_expert"), "system_level"),
            Ask(("it_auditor", "model_risk_manager"), "sign_off"),
        ),
    ),
)

# Paths each role owns, beyond the stage folders; `{module}` is the Python package.
PATH_OWNERS: tuple[tuple[str, str], ...] = (
    ("/params.yaml", "product_manager"),
    ("/docs/", "product_manager"),
    ("/docs/pr-faq.md", "product_manager"),
    ("/docs/business-understanding.md", "product_manager"),
    ("/docs/roles.md", "sponsor"),
    ("/docs/checklists/ml-fit.md", "product_manager"),
    ("/docs/checklists/data.md", "data_engineer"),
    ("/docs/checklists/timeline.md", "ml_engineer"),
    ("/docs/data-card.md", "data_engineer"),
    ("/docs/model-card.md", "data_scientist"),
    ("/{module}/", "ml_engineer"),
    ("/{module}/analyze/", "data_analyst"),
    ("/{module}/prepare/", "data_engineer"),
    ("/{module}/preprocess/", "data_engineer"),
    ("/{module}/train/", "data_scientist"),
    ("/{module}/test/", "ml_engineer"),
    ("/.github/", "mlops_engineer"),
    ("/.gitlab/", "mlops_engineer"),
    ("/.gitlab-ci.yml", "mlops_engineer"),
)

# Who owns everything that no more specific line above assigns.
DEFAULT_OWNER_ROLE = "product_manager"
