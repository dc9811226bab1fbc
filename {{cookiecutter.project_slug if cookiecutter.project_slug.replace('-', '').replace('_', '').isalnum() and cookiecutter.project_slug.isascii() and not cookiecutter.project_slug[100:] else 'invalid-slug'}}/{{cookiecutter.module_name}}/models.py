"""Save and load models in skops format, which loads without running arbitrary code.

A pickle file runs whatever code it names when it is opened. skops lists every type a file
holds; `load` accepts the types skops trusts and this project's own, and refuses anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import skops.io as sio

from .files import replacing

OWN_TYPES = f"{__package__}."
# numpy's and scikit-learn's own types that skops does not trust by default; both load as data.
LIBRARY_TYPES = {"numpy.dtype", "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"}


class UntrustedModelError(RuntimeError):
    """A model file holds types that could run code when loaded."""


def save(model: Any, path: Path) -> None:
    with replacing(path) as temporary:
        sio.dump(model, temporary)


def load(path: Path) -> Any:
    untrusted = sio.get_untrusted_types(file=path)
    foreign = [name for name in untrusted if not name.startswith(OWN_TYPES) and name not in LIBRARY_TYPES]
    if foreign:
        raise UntrustedModelError(
            f"{path} holds types that could run code when loaded: {', '.join(foreign)}. "
            "Rebuild the model with this project's stages instead of loading a file from elsewhere."
        )
    return sio.load(path, trusted=untrusted)
