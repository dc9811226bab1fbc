"""The candidate models and how they are fitted and scored, shared by Train and Test.

Train searches each candidate's settings and trains the best one; Test trains the other candidates
again at their best settings, and a model on older rows, to compare them with it. Both take the
candidates, their search spaces and the scoring from here, so the two stages cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.decomposition import TruncatedSVD
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if

from .kit.core import metrics
from .kit.core.data import dense
from .kit.core.messages import messages_here
from .kit.core.pipeline import Project
from .kit.core.spark import EngineError

BASELINE = "baseline"
PERMUTATION_REPEATS = 3  # shuffles of each column when measuring what it contributes
# The settings each candidate's search tries, few so that training stays quick: how strongly the
# linear models are regularised, and how many rounds boosting may run at most (early stopping ends
# it sooner once rounds stop helping on a tenth of the rows kept aside). The baseline has nothing to tune.
SEARCH_SPACES: dict[str, dict[str, list[Any]]] = {
    BASELINE: {},
    "logistic_regression": {"C": [0.1, 1.0, 10.0]},
    "ridge": {"alpha": [0.1, 1.0, 10.0]},
    "gradient_boosting": {"trees__max_iter": [100, 300]},
}
# Gradient boosting takes only dense features. Of sparse ones (word weights), it gets the columns
# that hold a value in the most rows as they are and the rest as a few topics: on the expenses
# example as good as every word, where a million rows of dense word weights would not fit in memory.
KEPT_COLUMNS = 32
TOPICS = 32
# The candidate spark.training: distributed trains on every training row, with XGBoost on Spark: the
# one whose trees gain most from more rows and that a Spark-native learner grows alike.
DISTRIBUTED = "gradient_boosting"


class DenseFeatures(TransformerMixin, BaseEstimator):
    """Features as a dense array, for an estimator that takes no sparse input.

    Dense input passes as it is. Of sparse input, the `kept` columns that hold a value in the most
    rows stay as they are, and the others become `topics` components of a TruncatedSVD.
    """

    def __init__(self, kept: int = KEPT_COLUMNS, topics: int = TOPICS, random_state: int | None = None):
        self.kept = kept
        self.topics = topics
        self.random_state = random_state

    def fit(self, features: Any, target: object = None) -> DenseFeatures:
        self.kept_columns_ = self.topics_ = None
        if not sparse.issparse(features) or features.shape[1] <= self.kept + self.topics:
            return self
        held = sparse.csc_array(features).count_nonzero(axis=0)
        order = np.argsort(-held, kind="stable")
        self.kept_columns_, self.other_columns_ = np.sort(order[: self.kept]), np.sort(order[self.kept :])
        self.topics_ = TruncatedSVD(self.topics, random_state=self.random_state)
        self.topics_.fit(sparse.csr_array(features)[:, self.other_columns_])
        return self

    def transform(self, features: Any) -> np.ndarray:
        if self.topics_ is None:
            return dense(features)
        features = sparse.csr_array(features)
        return np.hstack(
            [
                features[:, self.kept_columns_].toarray(),
                self.topics_.transform(features[:, self.other_columns_]),
            ]
        )


class DistributedTrees(BaseEstimator):
    """Gradient-boosted trees trained by XGBoost, kept as XGBoost's own model bytes: the model file
    loads and predicts in one process, without Spark or Java.

    The Train stage trains them on Spark on every training row (spark.training: distributed) and
    hands the booster to `trained`; `fit` trains them in this process on rows held in memory, with
    the same `settings` (XGBoost's, and the share of rows kept aside to stop early).
    """

    def __init__(self, settings: dict[str, Any] | None = None, classification: bool = True):
        self.settings = settings
        self.classification = classification

    def fit(self, features: Any, target: Any) -> DistributedTrees:
        settings = dict(self.settings or {})
        share = settings.pop("validation_share", 0.1)
        kept_aside = np.random.default_rng(settings.get("random_state")).random(len(target)) < share
        features, target = dense(features), np.asarray(target)
        xgboost = self._xgboost()
        if self.classification:
            classes, labels = np.unique(target, return_inverse=True)
            learner = xgboost.XGBClassifier(**settings)
        else:
            classes, labels = None, target
            learner = xgboost.XGBRegressor(**settings)
        learner.fit(
            features[~kept_aside],
            labels[~kept_aside],
            eval_set=[(features[kept_aside], labels[kept_aside])],
            verbose=False,
        )
        return self.trained(learner.get_booster(), classes)

    def trained(self, booster: Any, classes: Any) -> DistributedTrees:
        """Keep `booster`'s rounds up to the best one on the rows kept aside (early stopping leaves the
        rounds after it in the booster) and, for classification, the classes in its outputs' order."""
        self.rounds_ = int(booster.attr("best_iteration") or booster.num_boosted_rounds() - 1) + 1
        self.booster_ = bytes(booster[: self.rounds_].save_raw("ubj"))
        if classes is not None:
            self.classes_ = np.asarray(classes)
        return self

    def __getstate__(self) -> dict[str, Any]:
        """The booster as bytes, without the copy XGBoost loaded to predict: that copy is rebuilt."""
        state = super().__getstate__()
        state.pop("_loaded", None)
        return state

    @staticmethod
    def _xgboost() -> Any:
        try:
            import xgboost
        except ImportError:
            say = messages_here(__file__)
            raise EngineError(say("trees.needs_xgboost")) from None
        return xgboost

    def _outputs(self, features: Any) -> np.ndarray:
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            loaded = self._loaded = self._xgboost().Booster(model_file=bytearray(self.booster_))
        return np.asarray(loaded.inplace_predict(dense(features)))

    def predict(self, features: Any) -> np.ndarray:
        if hasattr(self, "classes_"):
            return self.classes_[np.argmax(self.predict_proba(features), axis=1)]
        return self._outputs(features)

    @available_if(lambda self: hasattr(self, "classes_"))
    def predict_proba(self, features: Any) -> np.ndarray:
        outputs = self._outputs(features)
        # Of two classes XGBoost gives the second one's probability only.
        return np.column_stack([1 - outputs, outputs]) if outputs.ndim == 1 else outputs


def candidates(problem_type: str, seed: int) -> dict[str, Any]:
    """The baseline first, then the candidates: a linear model, which takes the sparse features as they
    are, and gradient-boosted trees, which get them dense."""

    def boosted(trees: Any) -> Pipeline:
        return Pipeline([("dense", DenseFeatures(random_state=seed)), ("trees", trees)])

    if problem_type == "classification":
        return {
            BASELINE: DummyClassifier(strategy="prior"),
            "logistic_regression": LogisticRegression(max_iter=2000, class_weight="balanced"),
            "gradient_boosting": boosted(
                HistGradientBoostingClassifier(early_stopping=True, random_state=seed)
            ),
        }
    return {
        BASELINE: DummyRegressor(strategy="mean"),
        "ridge": Ridge(alpha=1.0),
        "gradient_boosting": boosted(HistGradientBoostingRegressor(early_stopping=True, random_state=seed)),
    }


def xgboost_settings(setting: dict[str, Any], project: Project) -> dict[str, Any]:
    """XGBoost's settings for the trees the DISTRIBUTED candidate grows at `setting` of its search, read
    from that candidate so the two cannot drift apart: as many rounds at most, the same learning rate,
    leaves, bins and regularisation, and the same early stopping on a share of the rows kept aside."""
    trees = tuned(DISTRIBUTED, setting, project).named_steps["trees"]
    return {
        "n_estimators": trees.max_iter,
        "learning_rate": trees.learning_rate,
        "grow_policy": "lossguide",
        "max_leaves": trees.max_leaf_nodes,
        "max_depth": trees.max_depth or 0,  # 0: no limit, as None is to scikit-learn
        "max_bin": trees.max_bins,
        "reg_lambda": trees.l2_regularization,
        "early_stopping_rounds": trees.n_iter_no_change,
        "validation_share": trees.validation_fraction,
        "random_state": project.settings.split.seed,
    }


def search_grid(estimators: dict[str, Any]) -> list[dict[str, list[Any]]]:
    """Every candidate at every setting of its search space, as one grid of a pipeline whose `model` step
    is a parameter: one search then tries them all on the same folds."""
    return [
        {"model": [estimator], **{f"model__{key}": values for key, values in SEARCH_SPACES[name].items()}}
        for name, estimator in estimators.items()
    ]


def tuned(name: str, setting: dict[str, Any], project: Project) -> Any:
    """A fresh, unfitted candidate at one setting of its search."""
    estimator = candidates(project.problem_type, project.settings.split.seed)[name]
    return clone(estimator).set_params(**setting)


def fit_behind(preprocessor: Any, estimator: Any, frame: pd.DataFrame, target: pd.Series) -> Pipeline:
    """Train a model on the output of an already fitted preprocessor, joined with it into one pipeline."""
    return Pipeline(
        [("preprocess", preprocessor), ("model", estimator.fit(preprocessor.transform(frame), target))]
    )


def score_sign(metric: str) -> int:
    """1 for a metric where higher is better, -1 for an error such as rmse: scikit-learn maximises
    scores, so an error is negated on the way in and again on the way out."""
    return 1 if metrics.METRICS[metric].higher_is_better else -1


def scorer(project: Project) -> Any:
    """The primary metric as scikit-learn's searches and permutation importance take it: a function of
    (model, rows, truth), higher always better."""
    metric, positive = project.settings.model.metric, project.data.positive_label
    sign = score_sign(metric)
    scoring = project.scoring
    with_scores = metric in metrics.SCORE_METRICS  # searches and shuffles predict often: skip what is unused

    def score(model: Any, rows: pd.DataFrame, truth: pd.Series) -> float:
        answers = metrics.predict(model, rows, positive, with_scores)
        return sign * metrics.score(metric, truth, *answers, **scoring)

    return score


def contributions(model: Any, rows: pd.DataFrame, truth: pd.Series, project: Project) -> pd.DataFrame:
    """How much worse the primary metric gets when one column's values are shuffled (permutation
    importance), per column, with its spread over the repeats: above zero, the column helps."""
    importance = permutation_importance(
        model,
        rows,
        truth,
        scoring=scorer(project),
        n_repeats=PERMUTATION_REPEATS,
        random_state=project.settings.split.seed,
    )
    return pd.DataFrame(
        {"contribution": importance.importances_mean, "std": importance.importances_std}, index=rows.columns
    )
