"""The benchmark command compares training time, memory and prediction speed with a stored baseline."""

import json

import pytest

from {{ cookiecutter.module_name }}.kit.cli import USER_ERRORS, main
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.operations import benchmark
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

# The figures every evaluated run measures; peak memory is missing where the platform cannot tell.
ALWAYS_MEASURED = {"training_seconds", "p95_ms", "rows_per_second"}


def benchmark_output(capsys, *options):
    """Run the command; return its exit code and what it printed."""
    capsys.readouterr()
    code = main(["benchmark", *options])
    return code, capsys.readouterr().out


def store_baseline(root, saved, figure, worse_by):
    """Store the saved baseline with one figure changed so that this run is `worse_by` times worse."""
    now = saved["figures"][figure.key]
    changed = now * worse_by if figure.higher_is_better else now / worse_by
    stored = {**saved, "figures": {**saved["figures"], figure.key: changed}}
    (root / benchmark.BASELINE).write_text(json.dumps(stored), encoding="utf-8")


def test_a_figure_beyond_the_tolerance_fails_the_benchmark(finished, capsys):
    tolerance = Project.load().settings.monitoring.benchmark_tolerance
    say = Project.load().messages(benchmark.__file__)
    assert benchmark_output(capsys, "--save")[0] == 0
    saved = json.loads((finished / benchmark.BASELINE).read_text(encoding="utf-8"))
    code, output = benchmark_output(capsys)
    assert code == 0 and say("benchmark.regressed", tolerance=tolerance) not in output, output
    measured = [figure for figure in benchmark.FIGURES if saved["figures"][figure.key] is not None]
    assert {figure.key for figure in measured} >= ALWAYS_MEASURED
    for figure in measured:
        store_baseline(finished, saved, figure, worse_by=tolerance * 1.2)
        code, output = benchmark_output(capsys)
        assert code == 1, output
        regressed = say("benchmark.regressed_beyond", tolerance=tolerance, figures=figure.label(say))
        assert regressed in output.splitlines(), output
        store_baseline(finished, saved, figure, worse_by=tolerance * 0.8)
        code, output = benchmark_output(capsys)
        assert code == 0, output


def test_the_benchmark_needs_a_stored_baseline(finished, capsys, snapshot):
    before = snapshot(finished)
    code, output = benchmark_output(capsys)
    assert code == 0
    say = Project.load().messages(benchmark.__file__)
    no_baseline = say("benchmark.no_baseline", baseline=benchmark.BASELINE)
    assert no_baseline in output.splitlines() and "benchmark --save" in no_baseline, output
    assert snapshot(finished) == before

    assert benchmark_output(capsys, "--save")[0] == 0
    stored = json.loads((finished / benchmark.BASELINE).read_text(encoding="utf-8"))
    assert stored["figures"] == benchmark.current(Project.load())
    assert stored["machine"] == benchmark.machine()


def json_error(text):
    """What the JSON reader says of a text that is not JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error
    raise AssertionError(f"{text!r} is JSON")


# (case, what benchmarks/baseline.json holds, the message under refused.baseline, and its values)
BROKEN_BASELINES = [
    ("merge conflict", "<<<<<<< HEAD\n", "unreadable", {"error": json_error("<<<<<<< HEAD\n")}),
    ("no figures", "{}", "no_figures", {}),
    ("zero", '{"figures": {"p95_ms": 0}}', "not_positive", {"key": "p95_ms", "value": 0}),
    ("text", '{"figures": {"p95_ms": "fast"}}', "not_positive", {"key": "p95_ms", "value": "fast"}),
]


@pytest.mark.parametrize(
    ("case", "content", "message", "values"), BROKEN_BASELINES, ids=[row[0] for row in BROKEN_BASELINES]
)
def test_a_broken_baseline_is_refused_with_how_to_store_a_new_one(finished, case, content, message, values):
    (finished / benchmark.BASELINE).parent.mkdir()
    (finished / benchmark.BASELINE).write_text(content, encoding="utf-8")
    project = Project.load()
    with pytest.raises(benchmark.BaselineError) as refusal:
        benchmark.run(project)
    say = project.messages(benchmark.__file__)
    fix = say("refused.baseline.fix")
    expected = say(f"refused.baseline.{message}", baseline=benchmark.BASELINE, fix=fix, **values)
    assert str(refusal.value) == expected
    assert "benchmark --save" in str(refusal.value)
    assert benchmark.BaselineError in USER_ERRORS  # so the command prints the message, not a traceback


def test_the_stored_baseline_holds():
    """This project's last run against the baseline the team stored: the check CI runs after the Test stage."""
    project = Project.load()
    if not (project.root / benchmark.BASELINE).is_file():
        pytest.skip(skip_reason("no_baseline"))
    if not all(project.path(figure.output).is_file() for figure in benchmark.FIGURES):
        pytest.skip(skip_reason("no_evaluated_model"))
    lines, held = benchmark.run(project)
    assert held, "\n".join(lines)
