"""Train must beat the baseline, tune every candidate, and save what it takes to reproduce the model."""

import json
import math
import shutil
from datetime import UTC, datetime, timedelta

import pandas as pd
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.module_name }}.kit.core import metrics, models, pipeline, threads
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.records import ModelCard
from {{ cookiecutter.module_name }}.modelling import (
    BASELINE,
    SEARCH_SPACES,
    DistributedTrees,
    candidates,
    tuned,
    xgboost_settings,
)
from {{ cookiecutter.module_name }}.train.stage import best_candidate, fingerprint, search
from {{ cookiecutter.module_name }}.train.stage import run as train

# Enough rows for every fold to hold both classes, few enough to train in moments.
SMALL_TRAINING_ROWS = 400


def read_card(project):
    return project.read(ModelCard, "model_card")


def test_the_chosen_model_beats_the_baseline_in_cross_validation(trained):
    card = read_card(trained)
    results = card.cross_validation
    assert card.algorithm != BASELINE
    assert metrics.better(card.metric, results[card.algorithm].mean, results[BASELINE].mean)


def test_the_model_is_saved_with_its_hyper_parameters_data_fingerprint_and_versions(trained):
    card = read_card(trained)
    train = pd.read_parquet(trained.path("train"))
    assert card.hyper_parameters
    assert card.training_data_fingerprint == fingerprint(train)
    assert {"python", "scikit-learn", "pandas", "numpy", "skops"} <= set(card.libraries)
    assert set(card.columns) == set(trained.feature_columns(train))


def test_the_model_card_says_when_the_model_was_trained_and_what_it_took(trained):
    card = read_card(trained)
    assert card.trained_at is not None and card.training_seconds is not None
    trained_at = datetime.fromisoformat(card.trained_at)
    assert trained_at.utcoffset() == timedelta(0)
    assert timedelta(0) <= datetime.now(UTC) - trained_at < timedelta(days=1)
    assert card.training_seconds > 0
    assert card.peak_memory_mb is None or card.peak_memory_mb > 0


def test_the_feature_importance_figure_is_written(trained):
    assert (trained.report_dir("train") / "figures" / "feature_importance.png").stat().st_size > 0


def test_training_twice_with_the_same_seed_gives_the_same_model_file(trained, tmp_path):
    again = Project.load(shutil.copytree(trained.root, tmp_path / "again"))
    pipeline.run(again, "train")
    first, second = read_card(trained), read_card(again)
    assert second.hyper_parameter_search == first.hyper_parameter_search
    assert second.cross_validation == first.cross_validation
    # The same bytes, and so the same version: the file names no memory address and no time of writing.
    assert again.path("model").read_bytes() == trained.path("model").read_bytes()


def test_every_candidates_hyper_parameter_search_is_recorded_and_the_best_setting_is_used(
    trained, tmp_path, monkeypatch
):
    card = read_card(trained)
    search, metric = card.hyper_parameter_search, card.metric
    assert list(search) == list(candidates(trained.problem_type, card.seed))
    assert any(len(record.tried) > 1 for record in search.values()), "no candidate was tuned"
    for name, record in search.items():
        assert [entry.setting for entry in record.tried] == list(ParameterGrid(SEARCH_SPACES[name]))
        assert all(math.isfinite(entry.mean) and entry.std >= 0 for entry in record.tried)
        best = next(entry for entry in record.tried if entry.setting == record.best)
        assert not any(metrics.better(metric, entry.mean, best.mean) for entry in record.tried), name
        assert card.cross_validation[name].mean == best.mean
    assert setting_used(trained, search[card.algorithm].best)

    # The best settings found here may be the estimators' defaults, which a model trained without its
    # setting has too; so retrain on a few rows, each search trying only three times its smallest
    # value, which is no estimator's default.
    small = Project.load(shutil.copytree(trained.root, tmp_path / "small"))
    pd.read_parquet(small.path("train")).head(SMALL_TRAINING_ROWS).to_parquet(small.path("train"))
    small.settings.model.cv_folds = 2
    for name, space in SEARCH_SPACES.items():
        monkeypatch.setitem(SEARCH_SPACES, name, {key: [values[0] * 3] for key, values in space.items()})
    train(small)  # the stage alone: its input no longer follows from Prepare, which pipeline.run refuses
    small_card = read_card(small)
    chosen = small_card.algorithm
    best_setting = small_card.hyper_parameter_search[chosen].best
    assert not setting_used(small, {key: tuned(chosen, {}, small).get_params()[key] for key in best_setting})
    assert setting_used(small, best_setting)


def setting_used(project, setting):
    """Whether the project's saved model was trained at this setting of its search; trees trained on
    Spark (spark.training: distributed) hold the setting as XGBoost's."""
    model = models.load(project.path("model")).named_steps["model"]
    if isinstance(model, Pipeline) and isinstance(model[-1], DistributedTrees):
        return model[-1].settings == xgboost_settings(setting, project)
    used = model.get_params()
    return {key: used[key] for key in setting} == setting


def test_best_candidate_never_picks_the_baseline_and_follows_the_metric_direction():
    scores = {BASELINE: {"mean": 0.99}, "simple": {"mean": 0.6}, "complex": {"mean": 0.7}}
    assert best_candidate(scores, "f1") == "complex"
    errors = {BASELINE: {"mean": 1.0}, "simple": {"mean": 12.0}, "complex": {"mean": 15.0}}
    assert best_candidate(errors, "rmse") == "simple"
    tied = {BASELINE: {"mean": 0.5}, "simple": {"mean": 0.7}, "complex": {"mean": 0.7}}
    assert best_candidate(tied, "f1") == "simple"


class RecordingScaler(StandardScaler):
    """A scaler that notes the rows it is fitted on; defined here, not in a test, so that the search's
    cache can store it."""

    fitted_on: list[frozenset[int]] = []  # of every instance: the search fits copies

    def fit(self, frame, target=None, sample_weight=None):
        self.fitted_on.append(frozenset(frame.index))
        return super().fit(frame, target, sample_weight)


def test_each_fold_fits_the_preprocessor_on_its_own_rows(monkeypatch):
    this = Project.load()
    model = {"problem_type": "classification", "metric": "accuracy", "cv_folds": 3}
    settings = this.settings.model_copy(
        update={
            "model": this.settings.model.model_copy(update=model),
            "data": this.settings.data.model_copy(update={"positive_label": 1}),
        }
    )
    project = Project(this.root, settings)
    rows = pd.RangeIndex(60)
    frame, target = pd.DataFrame({"x": rows.to_numpy(float)}), pd.Series(rows % 2)
    monkeypatch.setattr(threads, "free_cores", lambda: 1)  # fits in this process, where the scaler notes them

    given = RecordingScaler().fit(frame)  # as Preprocess hands it over: fitted on every training row
    fitted_on = RecordingScaler.fitted_on
    fitted_on.clear()
    tried = search(given, frame, target, project)

    assert all(len(entry["folds"]) == 3 for tries in tried.values() for entry in tries)
    # Once per fold: every candidate at every setting reuses its fold's preprocessor.
    assert len(fitted_on) == 3, "the preprocessor was not fitted exactly once in each fold"
    checked = {frozenset(rows) - fit_rows for fit_rows in fitted_on}
    assert all(checked), "a fold fitted the preprocessor on every row"
    assert sorted(row for part in checked for row in part) == list(rows), "the checked rows overlap"


def test_the_model_learns_from_no_personal_id_ignored_or_flagged_column(trained):
    data = trained.data
    drop_columns = json.loads(trained.path("diagnosis").read_text(encoding="utf-8"))["drop_columns"]
    excluded = {
        data.target,
        *data.id_columns,
        data.time_column,
        *data.personal_data_columns,
        *data.ignore_columns,
        *drop_columns,
    } - {None}
    learned = set(models.load(trained.path("model")).named_steps["preprocess"].feature_names_in_)
    assert learned == set(read_card(trained).columns)
    assert not learned & excluded
