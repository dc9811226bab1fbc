"""The python_function model MLflow keeps with each Train run, as MLflow's "models from code": MLflow
runs this file to load the model, and it opens model.skops with the project's own checks (models.load),
so loading the model never unpickles anything."""

from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.models import set_model
from mlflow.pyfunc import PythonModel

from {{ cookiecutter.module_name }}.kit.core import models


class SkopsModel(PythonModel):
    """The trained pipeline: its preprocessing and its estimator, as models.load gives them."""

    def load_context(self, context: Any) -> None:
        self.model = models.load(Path(context.artifacts["model"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> Any:
        return self.model.predict(model_input)


set_model(SkopsModel())
