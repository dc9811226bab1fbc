"""Every check the readiness score counts can fail: a small bug in what it guards makes it fail.

Each mutation is one slip a developer could make in the code or configuration a check guards. The tests
apply it to a copy of a baked project, run the checks that must catch it and score that run with the
project's own `readiness` command, as a team's CI does; the readiness score counts no failing check.
Two mutations run the whole readiness command: the sections they touch score lower and the gate fails.

The checks run the project's stages in a scratch folder. Stages before the first one whose code the
mutation touches are not rerun: `stage_snapshots.py` puts in place what the unmutated project's
recorded run wrote, when the folder holds exactly what that run held (see its docstring).
"""

import ast
import json
import os
import shutil
from typing import NamedTuple

import pytest
from conftest import TEMPLATE, bake, run

PACKAGE = "expense_classifier"
STAGES = ("analyze", "prepare", "preprocess", "train", "test")
ANALYZE = f"{PACKAGE}/analyze/test_analyze.py::"
PREPROCESS = f"{PACKAGE}/preprocess/test_preprocess.py::"
TRAIN = f"{PACKAGE}/train/test_train.py::"
TEST_STAGE = f"{PACKAGE}/test/test_test.py::"


class Mutation(NamedTuple):
    """Replace `old`, which occurs once in the file at `path`, with `new`; the checks in `fails` must fail."""

    path: str
    old: str
    new: str
    fails: tuple[str, ...]


MUTATIONS = {
    # Data
    "raw-data-not-checked-against-expected-ranges": Mutation(
        f"{PACKAGE}/kit/core/data.py",
        "        *(partial(check_expected_range, frame[name], bounds) for name, bounds in ranges),\n",
        "",
        ("tests/test_expectations.py::test_raw_data_outside_an_expected_range_is_refused",),
    ),
    "model-card-known-categories-unsorted": Mutation(
        f"{PACKAGE}/train/stage.py",
        'entry["known_values"] = sorted(known.tolist())',
        'entry["known_values"] = known.tolist()',
        (
            "tests/test_expectations.py::test_the_model_card_records_each_columns_type_range_and_known_categories",
        ),
    ),
    "constant-column-kept-as-a-feature": Mutation(
        f"{PACKAGE}/analyze/stage.py",
        "if facts[column].unique <= 1:",
        "if facts[column].unique < 1:",
        (ANALYZE + "test_a_constant_column_is_flagged_to_drop",),
    ),
    "contribution-table-leaves-out-the-top-column": Mutation(
        f"{PACKAGE}/kit/reports/holdout.py",
        'for column, part in sorted(found.items(), key=lambda item: -item[1]["contribution"])',
        'for column, part in sorted(found.items(), key=lambda item: -item[1]["contribution"])[1:]',
        (TEST_STAGE + "test_the_report_shows_what_each_column_contributes",),
    ),
    "every-column-said-to-help": Mutation(
        f"{PACKAGE}/test/stage.py",
        '"helps": bool(part["contribution"] > 0),',
        '"helps": True,',
        (TEST_STAGE + "test_a_column_that_tells_nothing_is_found_not_to_help",),
    ),
    "leakage-not-scored-for-two-valued-columns": Mutation(
        f"{PACKAGE}/analyze/stage.py",
        "labelled[column].nunique() <= 1:",
        "labelled[column].nunique() <= 2:",
        (ANALYZE + "test_a_column_that_copies_the_target_is_flagged_as_leakage",),
    ),
    "prepare-keeps-the-columns-analyze-flagged": Mutation(
        f"{PACKAGE}/prepare/stage.py",
        "set(diagnosis.drop_columns) | set(data.personal_data_columns)",
        "set(data.personal_data_columns)",
        (TRAIN + "test_the_model_learns_from_no_personal_id_ignored_or_flagged_column",),
    ),
    "prepare-writes-the-raw-rows-as-cleaned": Mutation(
        f"{PACKAGE}/prepare/stage.py",
        'write_table(self.frame, project.path("cleaned"))',
        'write_table(project.read_raw(), project.path("cleaned"))',
        ("tests/test_new_columns.py::test_personal_data_never_reaches_an_output",),
    ),
    "columns-to-drop-read-from-the-wrong-key": Mutation(
        f"{PACKAGE}/analyze/stage.py",
        'for finding in findings if finding["drop"]}',
        'for finding in findings if finding["blocking"]}',
        (ANALYZE + "test_mostly_missing_and_personal_data_columns_are_flagged_to_drop",),
    ),
    "only-ranged-numbers-become-features": Mutation(
        f"{PACKAGE}/preprocess/stage.py",
        'kinds["numbers"],',
        "list(project.data.expected_ranges),",
        ("tests/test_new_columns.py::test_a_new_column_becomes_a_feature_with_no_code_change",),
    ),
    "numbers-imputed-with-the-mean": Mutation(
        f"{PACKAGE}/preprocess/stage.py",
        'SimpleImputer(strategy="median")',
        'SimpleImputer(strategy="mean")',
        (
            PREPROCESS + "test_numbers_are_imputed_with_the_training_median_and_scaled",
            PREPROCESS + "test_the_preprocessor_is_fitted_on_training_rows_only",
        ),
    ),
    "missing-category-becomes-the-most-frequent": Mutation(
        f"{PACKAGE}/preprocess/stage.py",
        'SimpleImputer(strategy="constant", fill_value="(missing)")',
        'SimpleImputer(strategy="most_frequent")',
        (PREPROCESS + "test_categories_are_one_hot_encoded",),
    ),
    "missing-text-becomes-a-word": Mutation(
        f"{PACKAGE}/preprocess/stage.py",
        '.fillna("")',
        '.fillna("(missing)")',
        (PREPROCESS + "test_text_becomes_word_weights_from_the_training_vocabulary",),
    ),
    "japanese-text-split-into-words": Mutation(
        f"{PACKAGE}/preprocess/stage.py",
        'if analyzer == "characters":',
        'if analyzer == "never":',
        (
            PREPROCESS
            + "test_japanese_text_as_characters_and_character_pairs_routes_far_better_than_as_words",
        ),
    ),
    "preprocessor-fitted-on-holdout-rows-too": Mutation(
        f"{PACKAGE}/kit/core/pipeline.py",
        'return pd.read_parquet(self.path("train"))',
        'return pd.read_parquet(self.path("cleaned"))',
        (
            PREPROCESS + "test_features_are_complete_and_one_row_per_training_row",
            PREPROCESS + "test_the_preprocessor_is_fitted_on_training_rows_only",
        ),
    ),
    # Model
    "model-spec-reviewed-by-the-wrong-role": Mutation(
        f"{PACKAGE}/kit/process/roles.py",
        '("/params.yaml", "product_manager"),',
        '("/params.yaml", "data_scientist"),',
        ("tests/test_owners.py::test_the_model_spec_needs_a_review_by_its_owners",),
    ),
    "final-model-ignores-the-best-setting": Mutation(
        f"{PACKAGE}/train/stage.py",
        "tuned(chosen, setting, project), frame, target",
        "tuned(chosen, {}, project), frame, target",
        (TRAIN + "test_every_candidates_hyper_parameter_search_is_recorded_and_the_best_setting_is_used",),
    ),
    "staleness-measured-on-the-holdout-only": Mutation(
        f"{PACKAGE}/test/stage.py",
        "staleness(pd.concat([train, holdout], ignore_index=True), card, project)",
        "staleness(holdout, card, project)",
        (TEST_STAGE + "test_a_model_trained_on_older_rows_still_meets_the_requirement_on_the_newest",),
    ),
    "simpler-candidate-comparison-swapped": Mutation(
        f"{PACKAGE}/test/stage.py",
        "metrics.better(metric, scored[name][metric], scored[chosen][metric])",
        "metrics.better(metric, scored[chosen][metric], scored[name][metric])",
        (TEST_STAGE + "test_no_simpler_candidate_is_better_on_the_holdout",),
    ),
    "slice-judged-against-the-overall-metric": Mutation(
        f"{PACKAGE}/test/stage.py",
        "meets(model_settings, judged_score) if judged_score is not None",
        "metrics.better(metric, judged_score, overall) if judged_score is not None",
        (TEST_STAGE + "test_every_slice_meets_the_requirement",),
    ),
    "slice-gap-comparison-flipped": Mutation(
        f"{PACKAGE}/test/stage.py",
        "gap <= model_settings.max_slice_gap",
        "gap >= model_settings.max_slice_gap",
        (TEST_STAGE + "test_no_slice_falls_more_than_the_allowed_gap_below_the_overall_metric",),
    ),
    "baseline-trained-as-the-model": Mutation(
        f"{PACKAGE}/train/stage.py",
        "return best(",
        "return BASELINE or best(",
        (
            TEST_STAGE + "test_the_model_beats_the_baseline_on_the_holdout",
            TRAIN + "test_best_candidate_never_picks_the_baseline_and_follows_the_metric_direction",
        ),
    ),
    # Infrastructure
    "cross-validation-folds-unseeded": Mutation(
        f"{PACKAGE}/train/stage.py",
        "StratifiedKFold(folds, shuffle=True, random_state=seed)",
        "StratifiedKFold(folds, shuffle=True)",
        (TRAIN + "test_training_twice_with_the_same_seed_gives_the_same_model_file",),
    ),
    "environment-installed-without-the-lock": Mutation(
        "uv.lock",
        'name = "scikit-learn"\nversion = "',
        'name = "scikit-learn"\nversion = "0.',
        ("tests/test_environment.py::test_the_installed_packages_are_the_locked_ones",),
    ),
    "baseline-allowed-as-the-best-candidate": Mutation(
        f"{PACKAGE}/train/stage.py",
        "[name for name in results if name != BASELINE]",
        "list(results)",
        (TRAIN + "test_best_candidate_never_picks_the_baseline_and_follows_the_metric_direction",),
    ),
    "search-reuses-the-preprocessor-fitted-on-every-row": Mutation(
        f"{PACKAGE}/train/stage.py",
        'Pipeline([("preprocess", preprocessor), ("model", None)], memory=cache)',
        'Pipeline([("preprocess", __import__("sklearn.frozen").frozen.FrozenEstimator(preprocessor)), '
        '("model", None)], memory=cache)',
        (TRAIN + "test_each_fold_fits_the_preprocessor_on_its_own_rows",),
    ),
    "holdout-split-unseeded": Mutation(
        f"{PACKAGE}/prepare/stage.py",
        "random_state=project.settings.split.seed,\n            stratify=stratify,",
        "stratify=stratify,",
        ("tests/test_pipeline.py::test_run_all_gives_the_same_outputs_as_the_stages_one_by_one",),
    ),
    "quality-gate-forgets-the-baseline": Mutation(
        f"{PACKAGE}/kit/operations/releases.py",
        '        (verdict.beats_baseline, say("refused.gate.below_baseline")),\n',
        "",
        ("tests/test_releases.py::test_promote_refuses_a_model_below_the_requirement_or_the_baseline",),
    ),
    "promote-accepts-any-evaluated-version": Mutation(
        f"{PACKAGE}/kit/operations/releases.py",
        "if results.model_version != version:",
        "if results.model_version is None:",
        ("tests/test_releases.py::test_promote_refuses_a_model_the_test_stage_has_not_evaluated",),
    ),
    "trace-shows-the-raw-row-as-model-input": Mutation(
        f"{PACKAGE}/kit/operations/predict.py",
        "first_row(inputs)",
        "first_row(row)",
        ("tests/test_predict.py::test_one_row_can_be_stepped_through_preprocess_and_predict",),
    ),
    "rollback-to-the-newest-release": Mutation(
        f"{PACKAGE}/kit/operations/releases.py",
        "previous = versions[position - 1]",
        "previous = versions[-1]",
        ("tests/test_releases.py::test_rollback_serves_the_previous_release_again",),
    ),
    # Monitoring
    "dependabot-looks-for-packages-in-the-wrong-folder": Mutation(
        ".github/dependabot.yml",
        "package-ecosystem: uv\n    directory: /",
        "package-ecosystem: uv\n    directory: /src",
        ("tests/test_dependency_updates.py::test_dependency_updates_watch_the_packages_and_the_ci_file",),
    ),
    "refused-input-not-told-what-is-wrong": Mutation(
        f"{PACKAGE}/kit/core/messages.en.yaml",
        'not_met: "Data requirement not met: {requirement}. {problem} {fix}"',
        'not_met: "Data requirement not met: {requirement}. {fix}"',
        (
            "tests/test_predict.py::test_serving_rows_outside_an_expected_range_are_refused",
            "tests/test_predict.py::test_serving_rows_with_text_or_infinity_in_a_number_column_are_refused",
            TEST_STAGE + "test_input_without_a_trained_column_is_refused",
        ),
    ),
    "serving-fills-missing-numbers-with-zero": Mutation(
        f"{PACKAGE}/kit/operations/predict.py",
        "features[column] = pd.to_numeric(features[column])",
        "features[column] = pd.to_numeric(features[column]).fillna(0)",
        ("tests/test_predict.py::test_serving_computes_the_same_features_as_training",),
    ),
    "model-age-counts-only-the-seconds-part": Mutation(
        f"{PACKAGE}/kit/operations/releases.py",
        "(now() - trained_at).total_seconds() / 86400",
        "(now() - trained_at).seconds / 86400",
        ("tests/test_releases.py::test_a_model_older_than_the_age_limit_fails_the_age_check",),
    ),
    "stability-check-misses-infinity": Mutation(
        f"{PACKAGE}/kit/operations/predict.py",
        "finite = np.isfinite(np.asarray(answer, dtype=float))",
        "finite = ~np.isnan(np.asarray(answer, dtype=float))",
        ("tests/test_predict.py::test_a_model_that_predicts_nan_or_infinity_is_stopped",),
    ),
    "benchmark-forgets-that-throughput-is-better-higher": Mutation(
        f"{PACKAGE}/kit/operations/benchmark.py",
        "return self.baseline / self.now if self.figure.higher_is_better else self.now / self.baseline",
        "return self.now / self.baseline",
        ("tests/test_benchmark.py::test_a_figure_beyond_the_tolerance_fails_the_benchmark",),
    ),
    "requirement-compared-the-wrong-way": Mutation(
        f"{PACKAGE}/kit/core/config.py",
        "return value >= model.threshold",
        "return value <= model.threshold",
        (
            "tests/test_monitor.py::test_newly_labelled_rows_that_meet_the_requirement_pass",
            "tests/test_monitor.py::test_newly_labelled_rows_below_the_requirement_fail_the_check",
        ),
    ),
    "nan-in-predictions": Mutation(
        f"{PACKAGE}/kit/core/metrics.py",
        "    predictions = model.predict(frame)\n",
        "    predictions = model.predict(frame).astype(float)\n    predictions[0] = np.nan\n",
        (
            TEST_STAGE + "test_the_model_beats_the_baseline_on_the_holdout",
            "tests/test_monitor.py::test_newly_labelled_rows_that_meet_the_requirement_pass",
        ),
    ),
}

# A new project stores no benchmark baseline, so this check is skipped and its test earns no point yet.
NOT_COUNTED_IN_A_NEW_PROJECT = {"tests/test_benchmark.py::test_the_stored_baseline_holds"}
# The two examples run every mapped test file, as `readiness` does on its own: the sections fall.
SCORED_IN_FULL = {
    "baseline-trained-as-the-model": {"model", "infrastructure"},
    "nan-in-predictions": {"model", "monitoring"},
}


@pytest.fixture(scope="session")
def reviewed_project(cookies_session):
    """The default project with the model spec's owners named, so that every mapped check can count."""
    return bake(cookies_session, owner_product_manager="@pm", owner_data_scientist="@acme/ds")


def in_project(root, command, **snapshots):
    """Run `python <command>` in the project with the stage_snapshots plugin and `snapshots` settings."""
    plugin_path = os.pathsep.join(filter(None, [str(TEMPLATE / "tests"), os.environ.get("PYTHONPATH")]))
    return run(
        command,
        root,
        PYTHONPATH=plugin_path,
        PYTEST_ADDOPTS="-p stage_snapshots",
        SNAPSHOT_PACKAGE=PACKAGE,
        **snapshots,
    )


@pytest.fixture(scope="session")
def recorded_run(reviewed_project, tmp_path_factory):
    """The folder where each stage of the unmutated project's test run is saved, before and after it."""
    folder = tmp_path_factory.mktemp("stages")
    root = tmp_path_factory.mktemp("recording") / "project"
    shutil.copytree(reviewed_project, root)
    recording = in_project(
        root,
        ["-m", "pytest", "-q", TEST_STAGE + "test_the_model_beats_the_baseline_on_the_holdout"],
        SNAPSHOT_FOLDER=str(folder),
        SNAPSHOT_RECORD="1",
    )
    assert recording.returncode == 0, recording.stdout[-3000:]
    assert sorted(path.name for path in folder.iterdir()) == sorted(STAGES)
    return folder


def imported_files(root, source):
    """The project's own Python files that `source` imports by name (absolute or relative)."""
    package = source.relative_to(root).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = (*base, *(node.module.split(".") if node.module else ()))
            names = [module, *[(*module, alias.name) for alias in node.names]]
        elif isinstance(node, ast.Import):
            names = [tuple(alias.name.split(".")) for alias in node.names]
        else:
            continue
        for parts in names:
            for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
                if candidate.is_file():
                    yield candidate


def stage_code(root, stage):
    """Every file of the project a stage's run executes or reads as code: its module, the pipeline, what
    they import, and the message files beside them (a refusal's words come from there)."""
    todo = [
        root / PACKAGE / "__init__.py",
        root / PACKAGE / "kit" / "core" / "pipeline.py",
        root / PACKAGE / stage / "stage.py",
    ]
    seen = set()
    while todo:
        source = todo.pop()
        if source not in seen:
            seen.add(source)
            todo += imported_files(root, source)
    messages = {path for source in seen for path in source.parent.glob("messages.*.yaml")}
    return {path.relative_to(root).as_posix() for path in seen | messages}


def stages_before_the_mutation(root, path):
    """The stages, from the first, whose run does not execute the file at `path`."""
    for index, stage in enumerate(STAGES):
        if path in stage_code(root, stage):
            return STAGES[:index]
    return STAGES


def mutated(project, tmp_path, name):
    """A copy of the project with one mutation applied."""
    mutation = MUTATIONS[name]
    root = tmp_path / "project"
    shutil.copytree(project, root)
    source = root / mutation.path
    text = source.read_text(encoding="utf-8")
    assert text.count(mutation.old) == 1, f"{mutation.path} no longer holds {mutation.old!r}: update {name}"
    source.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
    return root


def reusing(recorded_run, root, name, tmp_path):
    """Settings that let the checks reuse the recorded stages the mutation cannot change."""
    reusable = stages_before_the_mutation(root, MUTATIONS[name].path)
    log = tmp_path / "reused.txt"
    log.touch()
    return {
        "SNAPSHOT_FOLDER": str(recorded_run),
        "SNAPSHOT_REUSE": " ".join(reusable),
        "SNAPSHOT_LOG": str(log),
    }


def readiness(root, *arguments, **snapshots):
    """Run the readiness command as a team would; return its exit code and its JSON report."""
    result = in_project(root, ["-m", PACKAGE, "readiness", "--format", "json", *arguments], **snapshots)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def failing_checks(report):
    """The mapped checks the report names as failed; each reason reads `file::function: message`."""
    return {
        reason.split(": ", 1)[0]
        for test in report["tests"]
        if test["status"] == "failing"
        for reason in test["why"]
    }


def test_every_counted_check_has_a_bug_that_fails_it(reviewed_project, tmp_path):
    no_results = tmp_path / "results.xml"
    no_results.write_text("<testsuites/>", encoding="utf-8")
    _, report = readiness(reviewed_project, "--results", str(no_results))
    mapped = {check for test in report["tests"] for check in test["checks"]}
    caught = {check for mutation in MUTATIONS.values() for check in mutation.fails}
    assert caught <= mapped, f"mutations name checks the score does not map: {caught - mapped}"
    assert mapped - NOT_COUNTED_IN_A_NEW_PROJECT <= caught, f"no mutation fails: {mapped - caught}"


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in MUTATIONS if name not in SCORED_IN_FULL])
def test_a_small_bug_fails_the_checks_that_guard_against_it(reviewed_project, recorded_run, tmp_path, name):
    root = mutated(reviewed_project, tmp_path, name)
    checks = MUTATIONS[name].fails
    snapshots = reusing(recorded_run, root, name, tmp_path)
    tests = in_project(
        root, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=results.xml", *checks], **snapshots
    )

    _, report = readiness(root, "--results", "results.xml")

    assert set(checks) <= failing_checks(report), tests.stdout[-3000:]
    if any(check.startswith(TEST_STAGE) for check in checks):  # the scratch run went through every stage
        reused = (tmp_path / "reused.txt").read_text(encoding="utf-8").split()
        assert reused == snapshots["SNAPSHOT_REUSE"].split()[: len(STAGES) - 1], (
            "the recorded stages went unused"
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", SCORED_IN_FULL)
def test_a_bug_lowers_the_full_score_and_fails_the_gate(reviewed_project, recorded_run, tmp_path, name):
    root = mutated(reviewed_project, tmp_path, name)

    code, report = readiness(root, **reusing(recorded_run, root, name, tmp_path))

    assert code == 1
    assert not report["met"]
    assert set(MUTATIONS[name].fails) <= failing_checks(report)
    for section in SCORED_IN_FULL[name]:
        in_section = [test for test in report["tests"] if test["section"] == section and test["checks"]]
        counted = [test for test in in_section if not NOT_COUNTED_IN_A_NEW_PROJECT & set(test["checks"])]
        assert report["sections"][section] < len(counted)


def test_a_stage_whose_code_a_mutation_touches_is_never_reused(reviewed_project):
    """The speed-up must not hide a bug: a mutated file is in the code of its stage and every later one."""
    for stage in STAGES:
        assert (
            stages_before_the_mutation(reviewed_project, f"{PACKAGE}/{stage}/stage.py")
            == STAGES[: STAGES.index(stage)]
        )
    # Shared code: the pipeline and data checks run in every stage; metrics first in Train.
    assert stages_before_the_mutation(reviewed_project, f"{PACKAGE}/kit/core/data.py") == ()
    assert stages_before_the_mutation(reviewed_project, f"{PACKAGE}/kit/core/metrics.py") == STAGES[:3]
    # A message file is read by the code beside it: a refusal's words are part of every stage that refuses.
    assert stages_before_the_mutation(reviewed_project, f"{PACKAGE}/kit/core/messages.en.yaml") == ()
    assert stages_before_the_mutation(reviewed_project, ".github/dependabot.yml") == STAGES
