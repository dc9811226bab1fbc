"""A stage's review meeting in one HTML file, for the people who will not open a notebook.

Sponsors and domain experts read what they are sent. `python -m <package> review <stage>` writes
`reports/review/<stage>.html`: the decision the meeting takes, the verdict with everything that
keeps it from passing, whom to invite, the stage's report with its figures, the open items, and
which run it shows. The file carries its figures and its style inside it and loads nothing, so it
opens from a mail attachment. It is built from the same parts as the review notebooks.
"""

from __future__ import annotations

import base64
import html
import re
import subprocess
import time
from pathlib import Path

from markdown_it import MarkdownIt

from ..core import files
from ..core.messages import Messages
from ..core.pipeline import STAGES, Project, StageOrderError
from ..core.records import Evaluation, ModelCard
from ..operations.explain import Labels
from . import checklist, review
from .owners import Team
from .value import payback_text

FOLDER = "reports/review"
# Report text as HTML; the text is the project's and its data's, so raw HTML in it is shown, not run.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
STYLE = """
body { font-family: system-ui, "Hiragino Sans", "Yu Gothic", Meiryo, "Noto Sans CJK JP", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; }
th { background: #f6f8fa; } figure { margin: 1rem 0; } img { max-width: 100%; }
figcaption { font-style: italic; color: #57606a; }
.decision { font-size: 1.15rem; background: #ddf4ff; padding: .75rem 1rem; border-radius: .4rem; }
.verdict { padding: .75rem 1rem; border-radius: .4rem; }
.met { background: #dafbe1; } .not-met { background: #ffebe9; }
footer { margin-top: 2rem; color: #57606a; font-size: .9rem; }
"""


def write(project: Project, stage: str) -> list[str]:
    """Write the stage's review pack; return what to tell the user."""
    path = project.root / FOLDER / f"{stage}.html"
    files.write_text(path, page(project, stage))
    say = project.messages(__file__)
    return [say("review_pack.written", path=path.relative_to(project.root).as_posix())]


def page(project: Project, stage: str) -> str:
    say = project.messages(__file__)
    step = review.report_name(stage)
    report = project.report_dir(step) / "report.md"
    if not report.is_file():
        missing = report.relative_to(project.root).as_posix()
        raise StageOrderError(say("review_pack.report_missing", report=missing, command=review.command(step)))
    team = Team(project.settings)
    title = say(
        "review_pack.title",
        project=project.settings.project.name,
        stage=team.stage_title(review.process_stage(stage)),
    )
    met, verdict = verdict_of(project, stage, say)
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="decision"><strong>{html.escape(say("review_pack.decision"))}</strong> '
        f"{html.escape(say(f'review_pack.decisions.{stage}'))}</p>",
        f"<h2>{html.escape(say('review_pack.verdict'))}</h2>",
        f'<div class="verdict {"met" if met else "not-met"}">{verdict}</div>',
        *(business_terms(project, say) if stage == STAGES[-1] else []),
        f"<h2>{html.escape(say('review.invite'))}</h2>",
        MARKDOWN.render(review.invitation_table(project, stage)),
        f"<h2>{html.escape(say('review_pack.report'))}</h2>",
        *(part_html(part) for part in review.report_parts(project, stage)),
        f"<h2>{html.escape(say('review_pack.open_items'))}</h2>",
        MARKDOWN.render(review.open_items(project, stage)),
        f"<footer>{run_facts(project, say)}</footer>",
    ]
    language = project.settings.project.language
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def part_html(part: review.Markdown | review.Figure) -> str:
    """A part of the report: Markdown as HTML, a figure as an image held inside the page."""
    if isinstance(part, review.Figure):
        data = base64.b64encode(part.path.read_bytes()).decode("ascii")
        caption = html.escape(part.caption)
        image = f'<img src="data:image/png;base64,{data}" alt="{caption}">'
        return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
    # The report's own headings go one level down, under the page's.
    return re.sub(r"<(/?)h([1-5])>", lambda tag: f"<{tag[1]}h{int(tag[2]) + 1}>", MARKDOWN.render(part))


def verdict_of(project: Project, stage: str, say: Messages) -> tuple[bool, str]:
    """Whether the meeting can say yes, and why not: the Test stage's requirement with every slice that
    falls short, or the gate of the stage that comes next with everything it still lacks."""
    if stage == STAGES[-1]:
        return holdout_verdict(project, say)
    following = STAGES[0] if stage not in STAGES else STAGES[STAGES.index(stage) + 1]
    status = checklist.Status.read(project)
    gate = checklist.gate(status, following)
    if gate.met:
        return True, f"<p>{html.escape(say('review_pack.gate_met', stage=following))}</p>"
    missing = "".join(f"<li>{html.escape(str(action))}</li>" for action in gate.actions())
    return False, f"<p>{html.escape(say('review_pack.gate_not_met', stage=following))}</p><ul>{missing}</ul>"


def holdout_verdict(project: Project, say: Messages) -> tuple[bool, str]:
    """The requirement on the holdout rows, then every check that fails: the requirement itself, the
    baseline, a simpler candidate, and each slice that misses the requirement or its allowed gap."""
    results = project.read(Evaluation, "metrics")
    slices = {name: found.model_dump() for name, found in results.slices.items()}
    # A slice with too few rows is not judged: its verdicts are None, not False.
    short = {
        name: found
        for name, found in slices.items()
        if found.get("meets_requirement") is False or found.get("within_allowed_gap") is False
    }
    checks = {
        "requirement": results.value.meets_requirement,
        "baseline": results.value.beats_baseline,
        "simpler": results.value.no_simpler_model_is_better,
    }
    failed = [
        say(f"review_pack.fails.{check}", requirement=results.requirement)
        for check, held in checks.items()
        if not held
    ]
    headline = say(
        "review_pack.holdout",
        requirement=results.requirement,
        measured=results.value.primary,
        rows=results.holdout_rows,
    )
    lines = [f"<p>{html.escape(headline)}</p>"]
    column = project.settings.data.segment_column
    failed += [
        say(
            f"review_pack.slice.{'below' if found.get('meets_requirement') is False else 'gap'}",
            column=column,
            value=name,
            metric=results.metric,
            measured=found[results.metric],
            rows=found["rows"],
            requirement=results.requirement,
        )
        for name, found in short.items()
    ]
    met = not failed
    if failed:
        lines.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in failed) + "</ul>")
    outcome = say(f"review_pack.outcome.{'met' if met else 'not_met'}")
    lines.append(f"<p><strong>{html.escape(outcome)}</strong></p>")
    return met, "".join(lines)


def business_terms(project: Project, say: Messages) -> list[str]:
    """The holdout metrics as the people who decide read them: out of 100 cases, how many."""
    results = project.read(Evaluation, "metrics")
    card = project.read(ModelCard, "model_card")
    labels = Labels.of(project.data.labels)
    measured = results.holdout
    if card.problem_type == "regression":
        sentences = [
            say("review_pack.terms.mae", error=measured["mae"], target=labels.column(card.target)),
            say(
                "review_pack.terms.r2", share=max(measured["r2"], 0) * 100, target=labels.column(card.target)
            ),
        ]
    else:
        sentences = []
        if card.positive_label is not None:
            positive = labels.answer(card.positive_label)
            sentences += [
                say("review_pack.terms.recall", positive=positive, found=round(measured["recall"] * 100)),
                say(
                    "review_pack.terms.precision", positive=positive, right=round(measured["precision"] * 100)
                ),
            ]
        sentences.append(say("review_pack.terms.accuracy", right=round(measured["accuracy"] * 100)))
    sentences.append(worth(project, results, say))
    items = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in sentences)
    return [f"<h2>{html.escape(say('review_pack.terms.heading'))}</h2>", f"<ul>{items}</ul>"]


def worth(project: Project, results: Evaluation, say: Messages) -> str:
    """What the measured quality is worth against its costs, and when it pays back."""
    value = project.settings.value
    return say(
        "review_pack.terms.value",
        value=results.value.business_value_per_month,
        operation=value.operation_cost_per_month,
        development=value.development_cost,
        currency=value.currency,
        payback=payback_text(results.value.payback_month, project.settings.project.language),
    )


def run_facts(project: Project, say: Messages) -> str:
    """When the pack was written and from what: the code's commit, the data's fingerprint, the model."""
    facts = [
        (say("review_pack.facts.written"), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        (say("review_pack.facts.commit"), commit(project.root) or say("review_pack.facts.no_git")),
        (
            say("review_pack.facts.data"),
            files.sha256(project.raw_data)[:12] if project.raw_data.is_file() else "-",
        ),
    ]
    if project.path("metrics").is_file():
        facts.append((say("review_pack.facts.model"), project.read(Evaluation, "metrics").model_version))
    return " · ".join(f"{html.escape(name)}: <code>{html.escape(value)}</code>" for name, value in facts)


def commit(root: Path) -> str | None:
    """The commit the project is at, marked when the working tree has changes; None outside git."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = bool(git("status", "--porcelain"))
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+" if changed else head
