"""Who does what: the roles of an ML project, what each stage asks of them, and who owns which path.

This is the one place where role titles and responsibilities are written down. The roles page,
CODEOWNERS and every owner tag in the documents are rendered from it by `owners.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ja")


@dataclass(frozen=True)
class Text:
    """The same sentence in every language the documents come in."""

    en: str
    ja: str

    def in_(self, language: str) -> str:
        return getattr(self, language)


@dataclass(frozen=True)
class Role:
    key: str
    title: Text
    responsibility: Text


@dataclass(frozen=True)
class Ask:
    """What a stage needs from some roles."""

    roles: tuple[str, ...]
    request: Text


@dataclass(frozen=True)
class Stage:
    key: str
    title: Text
    owner: str
    document: str
    asks: tuple[Ask, ...]


# Sponsor first: a project without one is among the most common ways ML projects fail.
ROLES: tuple[Role, ...] = (
    Role(
        "sponsor",
        Text("Sponsor", "スポンサー"),
        Text(
            "Backs the project with budget and authority, and agrees to the business goal.",
            "予算と権限でプロジェクトを後押しし、ビジネスゴールに合意します。",
        ),
    ),
    Role(
        "product_manager",
        Text("Product Manager", "プロダクトマネージャー"),
        Text(
            "Decides which software features will improve the user experience.",
            "ユーザー体験を良くするために作るべき機能を決めます。",
        ),
    ),
    Role(
        "business_analyst",
        Text("Business Analyst", "ビジネスアナリスト"),
        Text(
            "States the business problem the project has to solve.",
            "解決すべきビジネス上の課題を定めます。",
        ),
    ),
    Role(
        "data_analyst",
        Text("Data Analyst", "データアナリスト"),
        Text(
            "Pins the problem down in numbers through analysis and charts.",
            "分析と可視化で課題を数字としてとらえます。",
        ),
    ),
    Role(
        "architect",
        Text("Architect", "アーキテクト"),
        Text(
            "Designs the architecture of the software as a whole.",
            "ソフトウェア全体のアーキテクチャを設計します。",
        ),
    ),
    Role(
        "devops_engineer",
        Text("DevOps Engineer", "DevOpsエンジニア"),
        Text(
            "Automates how the software is built, shipped and run.",
            "ソフトウェアの開発と運用の流れを自動化します。",
        ),
    ),
    Role(
        "software_engineer",
        Text("Software Engineer", "ソフトウェアエンジニア"),
        Text("Builds the software.", "ソフトウェアを開発します。"),
    ),
    Role(
        "operator",
        Text("Operator", "業務担当者"),
        Text(
            "Does the daily business work with the software.",
            "ソフトウェアを使って日々の業務を行います。",
        ),
    ),
    Role(
        "system_admin",
        Text("System Admin", "システム管理者"),
        Text("Watches how the service behaves.", "サービスの挙動を監視します。"),
    ),
    Role(
        "it_auditor",
        Text("IT Auditor", "IT監査担当者"),
        Text(
            "Audits access rights and controls across systems and the company.",
            "システムと会社全体の権限と統制を監査します。",
        ),
    ),
    Role(
        "data_architect",
        Text("Data Architect", "データアーキテクト"),
        Text(
            "Designs and runs the platform that holds the data.",
            "データを管理する基盤を設計し、運用します。",
        ),
    ),
    Role(
        "domain_expert",
        Text("Domain Expert", "業務有識者"),
        Text(
            "Knows the business deeply: what the data means and what it should look like.",
            "業務を深く知り、データの意味とあるべき姿を定めます。",
        ),
    ),
    Role(
        "data_engineer",
        Text("Data Engineer", "データエンジニア"),
        Text(
            "Turns data into features a model can take as input.",
            "モデルに入力できるデータと特徴量を作ります。",
        ),
    ),
    Role(
        "data_scientist",
        Text("Data Scientist", "データサイエンティスト"),
        Text("Develops the model.", "機械学習モデルを開発します。"),
    ),
    Role(
        "ml_engineer",
        Text("ML Engineer", "機械学習エンジニア"),
        Text(
            "Turns the model into something that can be deployed to production.",
            "モデルを本番環境にデプロイできる形にします。",
        ),
    ),
    Role(
        "ml_operator",
        Text("ML Operator", "機械学習の業務担当者"),
        Text(
            "Works from the predictions and feeds corrections back.",
            "予測結果にもとづいて業務を行い、フィードバックを返します。",
        ),
    ),
    Role(
        "model_risk_manager",
        Text("Model Risk Manager", "モデルリスク管理者"),
        Text(
            "Watches how the model's predictions behave in use.",
            "運用中のモデルの予測の振る舞いを監視します。",
        ),
    ),
    Role(
        "mlops_engineer",
        Text("MLOps Engineer", "MLOpsエンジニア"),
        Text(
            "Automates how models are trained, shipped and run.",
            "モデルの開発と運用の流れを自動化します。",
        ),
    ),
    Role(
        "ai_ml_architect",
        Text("AI/ML Architect", "AI/MLアーキテクト"),
        Text(
            "Designs the architecture needed to build and serve models.",
            "モデルの開発と提供に必要なアーキテクチャ全体を設計します。",
        ),
    ),
)

ROLE_BY_KEY = {role.key: role for role in ROLES}

# Business Understanding has no code, so its "folder" is its document.
STAGES: tuple[Stage, ...] = (
    Stage(
        "business_understanding",
        Text("Business Understanding", "Business Understanding（ビジネス理解）"),
        "product_manager",
        "docs/business-understanding.md",
        (
            Ask(
                ("product_manager", "domain_expert"),
                Text(
                    "Direction of the project, the sponsor's agreement, and a review of the value formula.",
                    "プロジェクトの方向性、スポンサーの合意、価値の計算式のレビュー。",
                ),
            ),
            Ask(
                ("system_admin", "it_auditor"),
                Text(
                    "Figures from past investments, to estimate development and operation cost.",
                    "開発・運用コストを見積もるための、過去の投資の実績値。",
                ),
            ),
        ),
    ),
    Stage(
        "analyze",
        Text("Analyze", "Analyze（データ分析）"),
        "data_analyst",
        "{module}/analyze/README.md",
        (
            Ask(
                ("domain_expert",),
                Text(
                    "What each column means and what a normal value looks like.",
                    "各列の意味と、正常な値がどのようなものか。",
                ),
            ),
            Ask(
                ("data_architect", "data_engineer"),
                Text(
                    "Where the data lives, how to get access, and how personal data is protected.",
                    "データの所在、アクセス方法、個人データの保護のしかた。",
                ),
            ),
        ),
    ),
    Stage(
        "prepare",
        Text("Prepare", "Prepare（データ準備）"),
        "data_engineer",
        "{module}/prepare/README.md",
        (
            Ask(
                ("product_manager",),
                Text(
                    "To send the Domain Expert a collection or labelling request written as 5W1H.",
                    "業務有識者へ、収集やラベル付けの依頼を5W1Hで出すこと。",
                ),
            ),
            Ask(
                ("domain_expert",),
                Text(
                    "Collecting or labelling the missing data, as the request describes.",
                    "依頼に沿って、不足しているデータを収集し、ラベルを付けること。",
                ),
            ),
        ),
    ),
    Stage(
        "preprocess",
        Text("Preprocess", "Preprocess（前処理）"),
        "data_engineer",
        "{module}/preprocess/README.md",
        (
            Ask(
                ("data_analyst",),
                Text(
                    "How they preprocess the same data today, so the model sees it the same way.",
                    "現在の前処理の方法。モデルが同じ形でデータを受け取れるようにするため。",
                ),
            ),
        ),
    ),
    Stage(
        "train",
        Text("Train", "Train（学習）"),
        "data_scientist",
        "{module}/train/README.md",
        (
            Ask(
                ("product_manager", "business_analyst", "data_analyst", "domain_expert"),
                Text(
                    "What a change in the metric means for the business.",
                    "評価指標の変化がビジネスにどう影響するか。",
                ),
            ),
        ),
    ),
    Stage(
        "test",
        Text("Test", "Test（テスト）"),
        "ml_engineer",
        "{module}/test/README.md",
        (
            Ask(
                ("data_scientist",),
                Text(
                    "A review of how the model is evaluated (model level).",
                    "モデルの評価方法のレビュー（モデルレベル）。",
                ),
            ),
            Ask(
                ("devops_engineer", "architect"),
                Text(
                    "The service level: calling the prediction endpoint, its speed, an A/B test environment.",
                    "サービスレベル: 予測エンドポイントの呼び出し方と応答速度、A/Bテストの環境。",
                ),
            ),
            Ask(
                ("product_manager", "domain_expert"),
                Text(
                    "The system level: system test, A/B test and usability of the feature itself.",
                    "システムレベル: 機能そのもののシステムテスト、A/Bテスト、ユーザビリティ。",
                ),
            ),
            Ask(
                ("it_auditor", "model_risk_manager"),
                Text(
                    "Sign-off on the model's risks before it goes live.",
                    "公開前の、モデルのリスクについての承認。",
                ),
            ),
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

UNASSIGNED = Text("unassigned", "未割り当て")
