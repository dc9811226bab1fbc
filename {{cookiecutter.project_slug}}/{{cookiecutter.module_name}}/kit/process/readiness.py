"""How ready for production this project is, scored with the ML Test Score (Breck et al., 2017).

The rubric has 28 tests, 7 in each of four sections. A test earns its point when it is automated
and run repeatedly; a section's score is the sum of its points and the final score is the lowest
section's. Here a test earns its point only when every check mapped to it ran and passed in the
same pytest run, so the score never counts a check that was removed, skipped or broken. A check
that this project's data gives nothing to check (no time column, no segments) skips with the
reason "not applicable: …"; its test counts as met, and the report says so and why.
Tests that need people or production traffic are listed as manual, with what the team does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.pipeline import PACKAGE, Project
from .roles import Text

SECTIONS = {
    "data": Text("Data", "データ"),
    "model": Text("Model", "モデル"),
    "infrastructure": Text("Infrastructure", "インフラ"),
    "monitoring": Text("Monitoring", "監視"),
}


@dataclass(frozen=True)
class RubricTest:
    """One test of the rubric: the pytest checks that automate it, or none when people do it."""

    section: str
    title: Text
    checks: tuple[str, ...]
    # What the checks assert; for a manual test, what the team does instead.
    covers: Text


def rubric(section: str, title: Text, covers: Text, *checks: str) -> RubricTest:
    """A rubric test whose checks are given as `file::function`, the file relative to the project root."""
    return RubricTest(section, title, tuple(check.replace("{package}", PACKAGE) for check in checks), covers)


TESTS = (
    rubric(
        "data",
        Text("Feature expectations are captured in a schema", "特徴量への期待がスキーマに記述されている"),
        Text(
            "Raw data with a value outside data.expected_ranges is refused with a message; the model card "
            "records every feature's type, range and known categories.",
            "data.expected_ranges を外れる値を含む生データはメッセージとともに拒否される。モデルカードに"
            "各特徴量の型・範囲・既知のカテゴリが記録される。",
        ),
        "tests/test_expectations.py::test_raw_data_outside_an_expected_range_is_refused",
        "tests/test_expectations.py::test_the_model_card_records_each_columns_type_range_and_known_categories",
    ),
    rubric(
        "data",
        Text("All features are beneficial", "すべての特徴量が役に立っている"),
        Text(
            "The Test stage's report shows how much shuffling each feature column lowers the primary metric "
            "and marks the columns that do not help, for people to weigh; a column that tells nothing is "
            "found not to help, and a constant column is flagged for Prepare to drop.",
            "Test ステージのレポートが、各特徴量列をシャッフルしたときの主指標の低下と、役に立たない列を示し、"
            "人が判断できるようにする。何も伝えない列は役に立たないと判定され、定数の列は Prepare で落とす"
            "対象になる。",
        ),
        "{package}/test/test_test.py::test_the_report_shows_what_each_column_contributes",
        "{package}/test/test_test.py::test_a_column_that_tells_nothing_is_found_not_to_help",
        "{package}/analyze/test_analyze.py::test_a_constant_column_is_flagged_to_drop",
    ),
    rubric(
        "data",
        Text("No feature's cost is too much", "コストに見合わない特徴量がない"),
        Text(
            "Manual: for each feature, weigh what it costs to collect and serve (latency, memory, upkeep) "
            "against its contribution in the Test stage's report.",
            "手動: 各特徴量の収集・提供コスト（レイテンシ、メモリ、保守）を、Test ステージのレポートにある"
            "貢献度と比べる。",
        ),
    ),
    rubric(
        "data",
        Text("Features adhere to meta-level requirements", "特徴量がメタレベルの要件を満たす"),
        Text(
            "The model learns from no target, id, time, personal-data, ignored or flagged column, and a "
            "column that copies the target is flagged as a leak.",
            "モデルは目的変数・ID・時刻・個人データ・除外列・フラグ付きの列から学習しない。目的変数を写した列は"
            "リークとしてフラグされる。",
        ),
        "{package}/train/test_train.py::test_the_model_learns_from_no_personal_id_ignored_or_flagged_column",
        "{package}/analyze/test_analyze.py::test_a_column_that_copies_the_target_is_flagged_as_leakage",
    ),
    rubric(
        "data",
        Text("The data pipeline has privacy controls", "データパイプラインにプライバシー対策がある"),
        Text(
            "Values of declared personal-data columns and of an undeclared e-mail column appear in no "
            "output, report or document after every stage has run.",
            "宣言された個人データ列と、宣言されていないメールアドレス列の値が、全ステージ実行後のどの出力・"
            "レポート・文書にも現れない。",
        ),
        "tests/test_new_columns.py::test_personal_data_never_reaches_an_output",
        "{package}/analyze/test_analyze.py::test_mostly_missing_and_personal_data_columns_are_flagged_to_drop",
    ),
    rubric(
        "data",
        Text("New features can be added quickly", "新しい特徴量をすぐに追加できる"),
        Text(
            "A new column in the data becomes a model feature after rerunning the stages, with no code change.",
            "データに加えた新しい列が、コードを変えずにステージを再実行するだけでモデルの特徴量になる。",
        ),
        "tests/test_new_columns.py::test_a_new_column_becomes_a_feature_with_no_code_change",
    ),
    rubric(
        "data",
        Text("All input feature code is tested", "特徴量を作るコードがすべてテストされている"),
        Text(
            "Numbers are imputed with the training median and scaled, categories one-hot encoded, text "
            "turned into word weights; features are complete and fitted on training rows only.",
            "数値は学習データの中央値で補完して標準化、カテゴリは One-hot、テキストは単語の重みになる。"
            "特徴量に欠損がなく、学習行だけで学習される。",
        ),
        "{package}/preprocess/test_preprocess.py::test_numbers_are_imputed_with_the_training_median_and_scaled",
        "{package}/preprocess/test_preprocess.py::test_categories_are_one_hot_encoded",
        "{package}/preprocess/test_preprocess.py::test_text_becomes_word_weights_from_the_training_vocabulary",
        "{package}/preprocess/test_preprocess.py::test_features_are_complete_and_one_row_per_training_row",
        "{package}/preprocess/test_preprocess.py::test_the_preprocessor_is_fitted_on_training_rows_only",
    ),
    rubric(
        "model",
        Text("Model specs are reviewed and checked in", "モデルの仕様がレビューされ、管理されている"),
        Text(
            "CODEOWNERS asks the owners to review params.yaml and the train stage's code, and git does "
            "not ignore them.",
            "CODEOWNERS が params.yaml と Train ステージのコードのレビューを担当者に求め、git がそれらを"
            "無視しない。",
        ),
        "tests/test_owners.py::test_the_model_spec_needs_a_review_by_its_owners",
    ),
    rubric(
        "model",
        Text(
            "Offline proxy metrics correlate with online impact", "オフライン指標がオンラインの効果と相関する"
        ),
        Text(
            "Manual: after release, compare the value formula's prediction with the measured business "
            "effect (an A/B test); see the Test stage's checklist.",
            "手動: リリース後、価値の式による予測と実際のビジネス効果（A/B テスト）を比べる。Test ステージの"
            "チェックリストを参照。",
        ),
    ),
    rubric(
        "model",
        Text("All hyper-parameters have been tuned", "ハイパーパラメータが調整されている"),
        Text(
            "Every candidate's hyper-parameter search is recorded in the model card and the final model "
            "uses the best setting.",
            "各候補のハイパーパラメータ探索がモデルカードに記録され、最終モデルが最良の設定を使う。",
        ),
        "{package}/train/test_train.py::test_every_candidates_hyper_parameter_search_is_recorded_and_the_best_setting_is_used",
    ),
    rubric(
        "model",
        Text("The impact of model staleness is known", "モデルが古くなる影響が分かっている"),
        Text(
            "A model trained on the older half of the time-ordered rows still meets the requirement on "
            "the newest period (needs data.time_column).",
            "時刻順で古い半分の行で学習したモデルが、最も新しい期間でも要件を満たす（data.time_column が必要）。",
        ),
        "{package}/test/test_test.py::test_a_model_trained_on_older_rows_still_meets_the_requirement_on_the_newest",
    ),
    rubric(
        "model",
        Text("A simpler model is not better", "より単純なモデルの方が良いということがない"),
        Text(
            "On the holdout the model beats the baseline, and no simpler candidate scores better.",
            "ホールドアウトでモデルがベースラインを上回り、より単純な候補の方が良い結果にならない。",
        ),
        "{package}/test/test_test.py::test_the_model_beats_the_baseline_on_the_holdout",
        "{package}/test/test_test.py::test_no_simpler_candidate_is_better_on_the_holdout",
    ),
    rubric(
        "model",
        Text("Model quality is sufficient on important slices", "重要なスライスで品質が十分"),
        Text(
            "Every value of data.segment_column meets the requirement on the holdout.",
            "data.segment_column の値ごとに、ホールドアウトで要件を満たす。",
        ),
        "{package}/test/test_test.py::test_every_slice_meets_the_requirement",
    ),
    rubric(
        "model",
        Text("The model is tested for inclusion", "インクルージョン（公平性）がテストされている"),
        Text(
            "No segment scores worse than the overall metric by more than model.max_slice_gap.",
            "どのセグメントも全体の指標より model.max_slice_gap を超えて悪くならない。",
        ),
        "{package}/test/test_test.py::test_no_slice_falls_more_than_the_allowed_gap_below_the_overall_metric",
    ),
    rubric(
        "infrastructure",
        Text("Training is reproducible", "学習が再現できる"),
        Text(
            "Training twice with the same seed gives the same search results and the same predictions; "
            "the installed packages are the versions uv.lock pins.",
            "同じシードで 2 回学習すると、探索結果も予測も同じになる。インストールされたパッケージは "
            "uv.lock が固定したバージョンである。",
        ),
        "{package}/train/test_train.py::test_training_twice_with_the_same_seed_gives_the_same_model",
        "tests/test_environment.py::test_the_installed_packages_are_the_locked_ones",
    ),
    rubric(
        "infrastructure",
        Text("Model specification code is unit tested", "モデル仕様のコードに単体テストがある"),
        Text(
            "Choosing a candidate never picks the baseline and follows the metric's direction; each "
            "cross-validation fold fits its preprocessor on its own rows.",
            "候補の選択がベースラインを選ばず指標の向きに従う。交差検証の各フォールドが自分の行だけで前処理を"
            "学習する。",
        ),
        "{package}/train/test_train.py::test_best_candidate_never_picks_the_baseline_and_follows_the_metric_direction",
        "{package}/train/test_train.py::test_each_fold_fits_the_preprocessor_on_its_own_rows",
    ),
    rubric(
        "infrastructure",
        Text("The ML pipeline is integration tested", "パイプライン全体が結合テストされている"),
        Text(
            "`run all` on fresh data gives the same data, predictions and scores as the stages run one by one.",
            "新しいデータでの `run all` が、ステージを 1 つずつ実行したときと同じデータ・予測・スコアになる。",
        ),
        "tests/test_pipeline.py::test_run_all_gives_the_same_outputs_as_the_stages_one_by_one",
    ),
    rubric(
        "infrastructure",
        Text("Model quality is validated before serving", "提供の前にモデルの品質が検証される"),
        Text(
            "`promote` refuses a model that misses the requirement, the baseline or a simpler model, or "
            "that the Test stage has not evaluated.",
            "`promote` は要件・ベースライン・より単純なモデルに届かないモデルや、Test ステージで評価されていない"
            "モデルを拒否する。",
        ),
        "tests/test_releases.py::test_promote_refuses_a_model_below_the_requirement_or_the_baseline",
        "tests/test_releases.py::test_promote_refuses_a_model_the_test_stage_has_not_evaluated",
    ),
    rubric(
        "infrastructure",
        Text("A single example can be stepped through", "1 件の例を順にたどれる"),
        Text(
            "`trace` shows one row's checked input, its features and its prediction, equal to what "
            "preprocessing and predict give.",
            "`trace` が 1 行の検査済み入力・特徴量・予測を示し、それらが前処理と predict の結果に一致する。",
        ),
        "tests/test_predict.py::test_one_row_can_be_stepped_through_preprocess_and_predict",
    ),
    rubric(
        "infrastructure",
        Text("Models are canaried before serving", "提供前にカナリアリリースされる"),
        Text(
            "Manual: send a small share of live traffic to a newly promoted model and compare its answers "
            "and errors with the current one before switching all traffic.",
            "手動: 新しく昇格したモデルに本番トラフィックの一部を流し、全面切り替えの前に回答とエラーを現行モデルと"
            "比べる。",
        ),
    ),
    rubric(
        "infrastructure",
        Text("Models can be rolled back quickly and safely", "モデルをすばやく安全にロールバックできる"),
        Text(
            "After two promotions, `rollback` makes the previous release the served model again, with its "
            "own predictions.",
            "2 回昇格したあと、`rollback` で直前のリリースが再び提供モデルになり、その予測を返す。",
        ),
        "tests/test_releases.py::test_rollback_serves_the_previous_release_again",
    ),
    rubric(
        "monitoring",
        Text("Dependency changes result in notification", "依存関係の変更が通知される"),
        Text(
            "The CI host's update bot watches the Python packages and the CI file every week.",
            "CI ホストの更新ボットが Python パッケージと CI ファイルを毎週監視する。",
        ),
        "tests/test_dependency_updates.py::test_dependency_updates_watch_the_packages_and_the_ci_file",
    ),
    rubric(
        "monitoring",
        Text("Data invariants hold for inputs", "入力データの不変条件が守られている"),
        Text(
            "Prediction refuses rows with a missing column, text in a number column or a value outside "
            "the expected range.",
            "予測は、列の欠落・数値列のテキスト・期待範囲外の値を含む行を拒否する。",
        ),
        "tests/test_predict.py::test_serving_rows_outside_an_expected_range_are_refused",
        "tests/test_predict.py::test_serving_rows_with_text_or_infinity_in_a_number_column_are_refused",
        "{package}/test/test_test.py::test_input_without_a_trained_column_is_refused",
    ),
    rubric(
        "monitoring",
        Text("Training and serving are not skewed", "学習時と提供時の特徴量がずれない"),
        Text(
            "The training rows through the serving path give exactly the features Preprocess wrote.",
            "学習行を提供時の経路に通すと、Preprocess が書いた特徴量と完全に一致する。",
        ),
        "tests/test_predict.py::test_serving_computes_the_same_features_as_training",
    ),
    rubric(
        "monitoring",
        Text("Models are not too stale", "モデルが古くなりすぎていない"),
        Text(
            "`releases --check-age` fails when the served model is older than monitoring.max_model_age_days.",
            "提供中のモデルが monitoring.max_model_age_days より古いと `releases --check-age` が失敗する。",
        ),
        "tests/test_releases.py::test_a_model_older_than_the_age_limit_fails_the_age_check",
    ),
    rubric(
        "monitoring",
        Text("Models are numerically stable", "モデルが数値的に安定している"),
        Text(
            "A model that predicts NaN or infinity is stopped with an error, in predict and on the command line.",
            "NaN や無限大を予測するモデルは、predict でもコマンドでもエラーで止まる。",
        ),
        "tests/test_predict.py::test_a_model_that_predicts_nan_or_infinity_is_stopped",
    ),
    rubric(
        "monitoring",
        Text(
            "No regression in training speed, serving latency, throughput or RAM",
            "学習速度・レイテンシ・スループット・メモリが悪化していない",
        ),
        Text(
            "`benchmark` fails when a figure is worse than benchmarks/baseline.json allows "
            "(monitoring.benchmark_tolerance); counted once a baseline is stored.",
            "数値が benchmarks/baseline.json と monitoring.benchmark_tolerance の許容を超えて悪いと `benchmark` が"
            "失敗する。ベースラインを保存してから数える。",
        ),
        "tests/test_benchmark.py::test_a_figure_beyond_the_tolerance_fails_the_benchmark",
        "tests/test_benchmark.py::test_the_stored_baseline_holds",
    ),
    rubric(
        "monitoring",
        Text("No regression in prediction quality on served data", "提供データでの予測品質が落ちていない"),
        Text(
            "`monitor --labelled FILE` passes on rows that meet the requirement and fails on rows that do not.",
            "`monitor --labelled FILE` は要件を満たす行で成功し、満たさない行で失敗する。",
        ),
        "tests/test_monitor.py::test_newly_labelled_rows_that_meet_the_requirement_pass",
        "tests/test_monitor.py::test_newly_labelled_rows_below_the_requirement_fail_the_check",
    ),
)

PASSED, FAILED, SKIPPED, INAPPLICABLE, ABSENT = "passed", "failed", "skipped", "inapplicable", "absent"
# The start of a skip reason that means "this data gives the check nothing to check".
NOT_APPLICABLE = "not applicable: "
# How the cases of one parametrized test add up: one failure fails it, one pass beats the rest.
PRECEDENCE = {SKIPPED: 0, INAPPLICABLE: 1, PASSED: 2, FAILED: 3}

WORDS = {
    "title": Text("ML Test Score", "ML Test Score"),
    "final": Text("Final score (lowest section)", "最終スコア（最も低いセクション）"),
    "minimum": Text("required in every section", "各セクションで必要"),
    "test": Text("Test", "テスト"),
    "status": Text("Status", "状態"),
    "checks": Text("Checks and what they assert", "チェックと確かめる内容"),
    "passing": Text("automated, passing", "自動・成功"),
    "failing": Text("automated, FAILING", "自動・失敗"),
    "not_run": Text("automated, not run", "自動・未実行"),
    "not_applicable": Text(
        "not applicable to this data, counted as met", "このデータには該当せず、満たしたものとして数える"
    ),
    "manual": Text("manual", "手動"),
    "gate_met": Text("Readiness gate met.", "準備状況のゲートを満たしています。"),
    "gate_failed": Text("Readiness gate NOT met:", "準備状況のゲートを満たしていません:"),
    "failing_checks": Text("failing checks", "失敗したチェック"),
    "below_minimum": Text("below the minimum", "最低点未満"),
}


class ReadinessError(ValueError):
    """The test results cannot be read."""


@dataclass
class Scored:
    """One rubric test with its status in this run and why."""

    section: str
    title: str
    status: str
    covers: str
    checks: list[str]
    why: list[str]


@dataclass
class Score:
    tests: list[Scored]
    sections: dict[str, int]
    final: int
    minimum: float

    @property
    def met(self) -> bool:
        return self.final >= self.minimum and not any(test.status == "failing" for test in self.tests)


def outcomes(results: Path) -> dict[str, tuple[str, str]]:
    """Each test function's outcome and message in a pytest --junitxml file, by `file::function`.

    A parametrized test is one function: it failed if any case failed, was skipped if every case was.
    """
    try:
        root = ElementTree.parse(results).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise ReadinessError(
            f"Cannot read the test results {results}: {error}. Write them with "
            f"`python -m pytest --junitxml {results}`, or run `python -m {PACKAGE} readiness` without --results."
        ) from None
    found: dict[str, tuple[str, str]] = {}
    for case in root.iter("testcase"):
        check = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name', '').split('[')[0]}"
        failure = next((case.find(tag) for tag in ("failure", "error") if case.find(tag) is not None), None)
        skipped = case.find("skipped")
        if failure is not None:
            outcome = (FAILED, first_line(failure.get("message", "")))
        elif skipped is not None:
            message = first_line(skipped.get("message", ""))
            outcome = (INAPPLICABLE if message.startswith(NOT_APPLICABLE) else SKIPPED, message)
        else:
            outcome = (PASSED, "")
        earlier = found.get(check)
        if earlier is None or PRECEDENCE[outcome[0]] > PRECEDENCE[earlier[0]]:
            found[check] = outcome
    return found


def first_line(message: str, longest: int = 200) -> str:
    line = message.strip().split("\n", 1)[0]
    return line if len(line) <= longest else line[: longest - 1] + "…"


def status(rubric_test: RubricTest, results: dict[str, tuple[str, str]]) -> tuple[str, list[str]]:
    """Failing if a check failed; not run if one was skipped or is missing; not applicable if every check
    was; passing when the others passed."""
    if not rubric_test.checks:
        return "manual", []
    seen = {check: results.get(check, (ABSENT, "not in this run")) for check in rubric_test.checks}
    failed = [f"{check}: {message}" for check, (outcome, message) in seen.items() if outcome == FAILED]
    if failed:
        return "failing", failed
    not_run = [
        f"{check}: {message}" for check, (outcome, message) in seen.items() if outcome in (SKIPPED, ABSENT)
    ]
    if not_run:
        return "not_run", not_run
    if all(outcome == INAPPLICABLE for outcome, _ in seen.values()):
        return "not_applicable", [f"{check}: {message}" for check, (_, message) in seen.items()]
    return "passing", []


# The statuses that earn a test its point.
COUNTED = ("passing", "not_applicable")


def score(project: Project, results: dict[str, tuple[str, str]]) -> Score:
    language = project.settings.project.language
    scored = []
    for rubric_test in TESTS:
        test_status, why = status(rubric_test, results)
        scored.append(
            Scored(
                rubric_test.section,
                rubric_test.title.in_(language),
                test_status,
                rubric_test.covers.in_(language),
                list(rubric_test.checks),
                why,
            )
        )
    sections = {
        section: sum(test.status in COUNTED for test in scored if test.section == section)
        for section in SECTIONS
    }
    return Score(scored, sections, min(sections.values()), project.settings.readiness.minimum_score)


def mapped_test_files(project: Project) -> list[str]:
    """The test files the mapped checks live in, as far as they exist in this project."""
    files = dict.fromkeys(check.split("::")[0] for rubric_test in TESTS for check in rubric_test.checks)
    return [name for name in files if (project.root / name).is_file()]


def run_checks(project: Project, results: Path) -> None:
    """Run the test files of every mapped check with pytest, writing their results to `results`."""
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={results}"]
        + mapped_test_files(project),
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def read_or_run(project: Project, results: Path | None) -> dict[str, tuple[str, str]]:
    """The outcomes from a results file, or from a fresh run of the checks when none is given."""
    if results is not None:
        return outcomes(results)
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "results.xml"
        run_checks(project, written)
        return outcomes(written)


def words(language: str) -> dict[str, str]:
    return {name: text.in_(language) for name, text in WORDS.items()}


def as_text(result: Score, language: str) -> str:
    word = words(language)
    lines = [f"{word['title']}: {word['final']} {result.final} / 7 ({word['minimum']}: {result.minimum:g})"]
    for section, title in SECTIONS.items():
        lines += ["", f"{title.in_(language)}: {result.sections[section]} / 7"]
        for test in (test for test in result.tests if test.section == section):
            lines.append(f"  [{word[test.status]}] {test.title}")
            lines.append(f"      {test.covers}")
            lines += [f"      - {check}" for check in test.checks]
            lines += [f"      ! {reason}" for reason in test.why]
    lines += ["", *gate_lines(result, language)]
    return "\n".join(lines) + "\n"


def as_markdown(result: Score, language: str) -> str:
    word = words(language)
    marks = {"passing": "✅", "failing": "❌", "not_run": "⚪", "not_applicable": "➖", "manual": "✋"}
    lines = [
        f"## {word['title']}: {result.final} / 7",
        "",
        f"{word['final']}: **{result.final}** ({word['minimum']}: {result.minimum:g})",
        "",
        "| " + " | ".join(title.in_(language) for title in SECTIONS.values()) + " |",
        "|" + " ---: |" * len(SECTIONS),
        "| " + " | ".join(f"{result.sections[section]} / 7" for section in SECTIONS) + " |",
    ]
    for section, title in SECTIONS.items():
        lines += [
            "",
            f"<details><summary>{title.in_(language)}: {result.sections[section]} / 7</summary>",
            "",
            f"| {word['test']} | {word['status']} | {word['checks']} |",
            "| --- | --- | --- |",
        ]
        for test in (test for test in result.tests if test.section == section):
            detail = "<br>".join([test.covers, *(f"`{check}`" for check in test.checks), *test.why])
            lines.append(
                f"| {test.title} | {marks[test.status]} {word[test.status]} | {detail.replace('|', '¦')} |"
            )
        lines += ["", "</details>"]
    lines += ["", *gate_lines(result, language)]
    return "\n".join(lines) + "\n"


def as_json(result: Score, language: str) -> str:
    return json.dumps({**asdict(result), "met": result.met}, ensure_ascii=False, indent=2) + "\n"


def gate_lines(result: Score, language: str) -> list[str]:
    word = words(language)
    if result.met:
        return [word["gate_met"]]
    lines = [word["gate_failed"]]
    failing = [test.title for test in result.tests if test.status == "failing"]
    if failing:
        lines.append(f"- {word['failing_checks']}: {'; '.join(failing)}")
    low = [SECTIONS[name].in_(language) for name, value in result.sections.items() if value < result.minimum]
    if low:
        lines.append(f"- {word['below_minimum']} {result.minimum:g}: {', '.join(low)}")
    return lines


FORMATS: dict[str, Callable[[Score, str], str]] = {"text": as_text, "markdown": as_markdown, "json": as_json}
