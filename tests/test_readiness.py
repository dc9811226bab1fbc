"""A baked project's readiness score must fall, and its gate fail, when a model breaks what a check guards."""

import json

import pytest
from conftest import bake, run

# Code appended to a module of the baked package; a later definition replaces the earlier one.
BREAKS = {
    "model-no-better-than-the-baseline": (
        "train/stage.py",
        "\n\ndef best_candidate(results, metric):\n    return BASELINE\n",
        {"model", "infrastructure"},
    ),
    "nan-in-predictions": (
        "metrics.py",
        "\n\n_predict = predict\n\n\n"
        "def predict(model, frame, positive_label):\n"
        "    predictions, scores = _predict(model, frame, positive_label)\n"
        "    predictions = predictions.astype(float)\n"
        '    predictions[0] = float("nan")\n'
        "    return predictions, scores\n",
        {"model", "monitoring"},
    ),
}


def readiness(root):
    """Run the readiness command as a team would; return its exit code and its JSON report."""
    result = run(["-m", "expense_classifier", "readiness", "--format", "json"], root)
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("name", BREAKS)
def test_breaking_what_a_check_guards_lowers_the_score_and_fails_the_gate(cookies, name):
    module, breaking_code, lowered = BREAKS[name]
    root = bake(cookies)
    with (root / "expense_classifier" / module).open("a", encoding="utf-8") as source:
        source.write(breaking_code)

    code, report = readiness(root)

    assert code == 1
    assert not report["met"]
    failing = {test["section"] for test in report["tests"] if test["status"] == "failing"}
    assert lowered <= failing
    for section in lowered:
        automated = sum(1 for test in report["tests"] if test["section"] == section and test["checks"])
        assert report["sections"][section] < automated
