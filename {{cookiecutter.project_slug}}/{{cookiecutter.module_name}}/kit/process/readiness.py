"""How ready for production this project is, scored with the ML Test Score (Breck et al., 2017).

The rubric has 28 tests, 7 in each of four sections. A test earns its point when it is automated
and run repeatedly; a section's score is the sum of its points and the final score is the lowest
section's. Here a test earns its point only when every check mapped to it ran and passed in the
same pytest run, so the score never counts a check that was removed, skipped or broken. A check
that this project's data gives nothing to check (no time column, no segments) skips with a reason
from `not_applicable`; its test counts as met, and the report says so and why.
Tests that need people or production traffic are listed as manual, with what the team does.
The rubric's words, each test's title and what it covers, are in the messages beside this module,
under `readiness.rubric.<key>`.
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
from typing import Any

from ..core.messages import messages_beside, messages_here
from ..core.pipeline import PACKAGE, Project

SECTIONS = ("data", "model", "infrastructure", "monitoring")


@dataclass(frozen=True)
class RubricTest:
    """One test of the rubric: the pytest checks that automate it, or none when people do it.

    Its title, and what the checks assert (for a manual test, what the team does instead), are the
    messages `readiness.rubric.<key>.title` and `.covers`.
    """

    section: str
    key: str
    checks: tuple[str, ...]


def rubric(section: str, key: str, *checks: str) -> RubricTest:
    """A rubric test whose checks are given as `file::function`, the file relative to the project root."""
    return RubricTest(section, key, tuple(check.replace("{package}", PACKAGE) for check in checks))


TESTS = (
    rubric(
        "data",
        "feature_schema",
        "tests/test_expectations.py::test_raw_data_outside_an_expected_range_is_refused",
        "tests/test_expectations.py::test_the_model_card_records_each_columns_type_range_and_known_categories",
    ),
    rubric(
        "data",
        "features_beneficial",
        "{package}/test/test_test.py::test_the_report_shows_what_each_column_contributes",
        "{package}/test/test_test.py::test_a_column_that_tells_nothing_is_found_not_to_help",
        "{package}/analyze/test_analyze.py::test_a_constant_column_is_flagged_to_drop",
    ),
    rubric(
        "data",
        "feature_cost",
    ),
    rubric(
        "data",
        "meta_requirements",
        "{package}/train/test_train.py::test_the_model_learns_from_no_personal_id_ignored_or_flagged_column",
        "{package}/analyze/test_analyze.py::test_a_column_that_copies_the_target_is_flagged_as_leakage",
    ),
    rubric(
        "data",
        "privacy_controls",
        "tests/test_new_columns.py::test_personal_data_never_reaches_an_output",
        "{package}/analyze/test_analyze.py::test_mostly_missing_and_personal_data_columns_are_flagged_to_drop",
    ),
    rubric(
        "data",
        "new_features_quickly",
        "tests/test_new_columns.py::test_a_new_column_becomes_a_feature_with_no_code_change",
    ),
    rubric(
        "data",
        "feature_code_tested",
        "{package}/preprocess/test_preprocess.py::test_numbers_are_imputed_with_the_training_median_and_scaled",
        "{package}/preprocess/test_preprocess.py::test_categories_are_one_hot_encoded",
        "{package}/preprocess/test_preprocess.py::test_text_becomes_word_weights_from_the_training_vocabulary",
        "{package}/preprocess/test_preprocess.py::test_japanese_text_as_characters_and_character_pairs_routes_far_better_than_as_words",
        "{package}/preprocess/test_preprocess.py::test_features_are_complete_and_one_row_per_training_row",
        "{package}/preprocess/test_preprocess.py::test_the_preprocessor_is_fitted_on_training_rows_only",
    ),
    rubric(
        "model",
        "spec_reviewed",
        "tests/test_owners.py::test_the_model_spec_needs_a_review_by_its_owners",
    ),
    rubric(
        "model",
        "offline_online_correlation",
    ),
    rubric(
        "model",
        "hyperparameters_tuned",
        "{package}/train/test_train.py::test_every_candidates_hyper_parameter_search_is_recorded_and_the_best_setting_is_used",
    ),
    rubric(
        "model",
        "staleness_impact",
        "{package}/test/test_test.py::test_a_model_trained_on_older_rows_still_meets_the_requirement_on_the_newest",
    ),
    rubric(
        "model",
        "simpler_model_not_better",
        "{package}/test/test_test.py::test_the_model_beats_the_baseline_on_the_holdout",
        "{package}/test/test_test.py::test_no_simpler_candidate_is_better_on_the_holdout",
    ),
    rubric(
        "model",
        "important_slices",
        "{package}/test/test_test.py::test_every_slice_meets_the_requirement",
    ),
    rubric(
        "model",
        "inclusion",
        "{package}/test/test_test.py::test_no_slice_falls_more_than_the_allowed_gap_below_the_overall_metric",
    ),
    rubric(
        "infrastructure",
        "reproducible_training",
        "{package}/train/test_train.py::test_training_twice_with_the_same_seed_gives_the_same_model_file",
        "tests/test_environment.py::test_the_installed_packages_are_the_locked_ones",
    ),
    rubric(
        "infrastructure",
        "spec_unit_tested",
        "{package}/train/test_train.py::test_best_candidate_never_picks_the_baseline_and_follows_the_metric_direction",
        "{package}/train/test_train.py::test_each_fold_fits_the_preprocessor_on_its_own_rows",
    ),
    rubric(
        "infrastructure",
        "pipeline_integration_tested",
        "tests/test_pipeline.py::test_run_all_gives_the_same_outputs_as_the_stages_one_by_one",
    ),
    rubric(
        "infrastructure",
        "quality_validated_before_serving",
        "tests/test_releases.py::test_promote_refuses_a_model_below_the_requirement_or_the_baseline",
        "tests/test_releases.py::test_promote_refuses_a_model_the_test_stage_has_not_evaluated",
    ),
    rubric(
        "infrastructure",
        "single_example_stepped_through",
        "tests/test_predict.py::test_one_row_can_be_stepped_through_preprocess_and_predict",
    ),
    rubric(
        "infrastructure",
        "canary",
    ),
    rubric(
        "infrastructure",
        "rollback",
        "tests/test_releases.py::test_rollback_serves_the_previous_release_again",
    ),
    rubric(
        "monitoring",
        "dependency_notification",
        "tests/test_dependency_updates.py::test_dependency_updates_watch_the_packages_and_the_ci_file",
    ),
    rubric(
        "monitoring",
        "input_invariants",
        "tests/test_predict.py::test_serving_rows_outside_an_expected_range_are_refused",
        "tests/test_predict.py::test_serving_rows_with_text_or_infinity_in_a_number_column_are_refused",
        "{package}/test/test_test.py::test_input_without_a_trained_column_is_refused",
    ),
    rubric(
        "monitoring",
        "training_serving_skew",
        "tests/test_predict.py::test_serving_computes_the_same_features_as_training",
    ),
    rubric(
        "monitoring",
        "model_age",
        "tests/test_releases.py::test_a_model_older_than_the_age_limit_fails_the_age_check",
    ),
    rubric(
        "monitoring",
        "numerical_stability",
        "tests/test_predict.py::test_a_model_that_predicts_nan_or_infinity_is_stopped",
    ),
    rubric(
        "monitoring",
        "computational_performance",
        "tests/test_benchmark.py::test_a_figure_beyond_the_tolerance_fails_the_benchmark",
        "tests/test_benchmark.py::test_the_stored_baseline_holds",
    ),
    rubric(
        "monitoring",
        "served_prediction_quality",
        "tests/test_monitor.py::test_newly_labelled_rows_that_meet_the_requirement_pass",
        "tests/test_monitor.py::test_newly_labelled_rows_below_the_requirement_fail_the_check",
    ),
)

PASSED, FAILED, SKIPPED, INAPPLICABLE, ABSENT = "passed", "failed", "skipped", "inapplicable", "absent"
# How the cases of one parametrized test add up: one failure fails it, one pass beats the rest.
PRECEDENCE = {SKIPPED: 0, INAPPLICABLE: 1, PASSED: 2, FAILED: 3}


def skip_reason(key: str, **values: Any) -> str:
    """Why a check did not run, in the project's language: pytest and the readiness report show it."""
    say = messages_here(__file__)
    return say(f"skips.{key}", **values)


def not_applicable(key: str, **values: Any) -> str:
    """The skip reason of a check this data gives nothing to check, marked so that its test counts as met."""
    say = messages_here(__file__)
    return say("readiness.not_applicable", reason=skip_reason(key, **values))


def inapplicable(message: str) -> bool:
    """Whether a skip reason came from `not_applicable`: the mark is the message without its reason."""
    say = messages_here(__file__)
    return message.startswith(say("readiness.not_applicable", reason=""))


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
        say = messages_here(__file__)
        # The system's words for a missing file would be the only English in a Japanese message.
        reason = say("refused.no_such_file") if isinstance(error, FileNotFoundError) else error
        fix = say("refused.write_test_results", results=results)
        raise ReadinessError(say("refused.test_results", results=results, error=reason, fix=fix)) from None
    found: dict[str, tuple[str, str]] = {}
    for case in root.iter("testcase"):
        check = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name', '').split('[')[0]}"
        failure = next((case.find(tag) for tag in ("failure", "error") if case.find(tag) is not None), None)
        skipped = case.find("skipped")
        if failure is not None:
            outcome = (FAILED, first_line(failure.get("message", "")))
        elif skipped is not None:
            message = first_line(skipped.get("message", ""))
            outcome = (INAPPLICABLE if inapplicable(message) else SKIPPED, message)
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
    say = messages_here(__file__)
    absent = (ABSENT, say("refused.not_in_this_run"))
    seen = {check: results.get(check, absent) for check in rubric_test.checks}
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
    say = project.messages(__file__)
    scored = []
    for rubric_test in TESTS:
        test_status, why = status(rubric_test, results)
        scored.append(
            Scored(
                rubric_test.section,
                say(f"readiness.rubric.{rubric_test.key}.title"),
                test_status,
                say(f"readiness.rubric.{rubric_test.key}.covers"),
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


def as_text(result: Score, language: str) -> str:
    say = messages_beside(__file__, language)
    lines = [
        f"{say('readiness.title')}: {say('readiness.final')} {result.final} / 7 "
        f"({say('readiness.minimum')}: {result.minimum:g})"
    ]
    for section in SECTIONS:
        lines += ["", f"{say(f'readiness.section.{section}')}: {result.sections[section]} / 7"]
        for test in (test for test in result.tests if test.section == section):
            lines.append(f"  [{say(f'readiness.status.{test.status}')}] {test.title}")
            lines.append(f"      {test.covers}")
            lines += [f"      - {check}" for check in test.checks]
            lines += [f"      ! {reason}" for reason in test.why]
    lines += ["", *gate_lines(result, language)]
    return "\n".join(lines) + "\n"


def as_markdown(result: Score, language: str) -> str:
    say = messages_beside(__file__, language)
    marks = {"passing": "✅", "failing": "❌", "not_run": "⚪", "not_applicable": "➖", "manual": "✋"}
    lines = [
        f"## {say('readiness.title')}: {result.final} / 7",
        "",
        f"{say('readiness.final')}: **{result.final}** ({say('readiness.minimum')}: {result.minimum:g})",
        "",
        "| " + " | ".join(say(f"readiness.section.{section}") for section in SECTIONS) + " |",
        "|" + " ---: |" * len(SECTIONS),
        "| " + " | ".join(f"{result.sections[section]} / 7" for section in SECTIONS) + " |",
    ]
    header = [say(key) for key in say.keys("readiness.table.")]
    for section in SECTIONS:
        lines += [
            "",
            f"<details><summary>{say(f'readiness.section.{section}')}: {result.sections[section]} / 7</summary>",
            "",
            "| " + " | ".join(header) + " |",
            "| --- | --- | --- |",
        ]
        for test in (test for test in result.tests if test.section == section):
            detail = "<br>".join([test.covers, *(f"`{check}`" for check in test.checks), *test.why])
            marked = f"{marks[test.status]} {say(f'readiness.status.{test.status}')}"
            lines.append(f"| {test.title} | {marked} | {detail.replace('|', '¦')} |")
        lines += ["", "</details>"]
    lines += ["", *gate_lines(result, language)]
    return "\n".join(lines) + "\n"


def as_json(result: Score, language: str) -> str:
    return json.dumps({**asdict(result), "met": result.met}, ensure_ascii=False, indent=2) + "\n"


def gate_lines(result: Score, language: str) -> list[str]:
    say = messages_beside(__file__, language)
    if result.met:
        return [say("readiness.gate.met")]
    lines = [say("readiness.gate.failed")]
    failing = "; ".join(test.title for test in result.tests if test.status == "failing")
    if failing:
        lines.append("- " + say("readiness.gate.failing_checks", tests=failing))
    low = ", ".join(
        say(f"readiness.section.{name}") for name in SECTIONS if result.sections[name] < result.minimum
    )
    if low:
        lines.append("- " + say("readiness.gate.below_minimum", minimum=result.minimum, sections=low))
    return lines


FORMATS: dict[str, Callable[[Score, str], str]] = {"text": as_text, "markdown": as_markdown, "json": as_json}
