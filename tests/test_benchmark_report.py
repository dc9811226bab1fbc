"""What `make benchmark` concludes from its figures: where an engine stopped, how far the pandas
engine would reach by its growth, and where Spark overtakes it. Built from made-up steps, so no
test here runs a stage or depends on this machine's speed."""

import importlib.util
import math
import sys

import pytest
from conftest import TEMPLATE

spec = importlib.util.spec_from_file_location("benchmark_run", TEMPLATE / "benchmarks" / "run.py")
run = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)


def steps(engine, rows, seconds, peak_mb, stopped_at=None):
    """Every stage of `engine` at `rows`, each taking `seconds` and `peak_mb`; from `stopped_at` on,
    that stage stopped for lack of memory and the later ones not run."""
    measured = []
    for stage in run.STAGES:
        if stage == stopped_at:
            measured.append(run.Measured(engine, rows, stage, math.nan, math.nan, math.nan, "out of memory"))
            break
        measured.append(run.Measured(engine, rows, stage, seconds, seconds, peak_mb))
    return measured


def conclusions(results):
    found = {(each.engine, each.rows, each.step): each for each in results}
    engines = [engine for engine in run.ENGINES if any(each.engine == engine for each in results)]
    return " ".join(run.conclusions(found, engines, sorted({each.rows for each in results})))


def test_a_stopped_engine_is_named_with_the_last_size_it_finished_and_what_stopped_it():
    results = [
        *steps("pandas", 1_000_000, 10, 1_000),
        *steps("pandas", 10_000_000, 100, 10_000, stopped_at="train"),
        *steps("spark", 1_000_000, 30, 2_000),
        *steps("spark", 10_000_000, 60, 2_000),
    ]
    said = conclusions(results)
    assert "`pandas` engine ran every stage at up to 1,000,000 rows" in said
    assert "at 10,000,000 rows its train stage was out of memory" in said
    assert "at 10,000,000 rows only Spark finished" in said
    table = run.report(results)
    assert "| 10,000,000 | train | out of memory | — | — | 60.0 | 60.0 | 2,000 |" in table
    assert "| 10,000,000 | test | — | — | — |" in table


def test_the_size_pandas_would_reach_grows_with_the_memory_of_the_machine():
    results = [*steps("pandas", 1_000_000, 10, 1_000), *steps("pandas", 10_000_000, 100, 10_000)]
    found = {(each.engine, each.rows, each.step): each for each in results}
    # 1,000 MB per million rows: 20,000 MB holds 20 million rows, 200,000 MB ten times as many.
    small, _ = run.memory_bound(found, 1_000_000, 10_000_000, 20_000)
    large, _ = run.memory_bound(found, 1_000_000, 10_000_000, 200_000)
    assert small == pytest.approx(20_000_000)
    assert large == pytest.approx(200_000_000)
    assert run.rounded(small) == "20 million"


def test_spark_overtakes_where_its_total_time_first_falls_below_pandas():
    results = [
        *steps("pandas", 1_000_000, 10, 1_000),
        *steps("pandas", 10_000_000, 200, 10_000),
        *steps("spark", 1_000_000, 30, 2_000),
        *steps("spark", 10_000_000, 100, 2_000),
    ]
    assert "Spark's five stages together finished sooner than pandas' from 10,000,000 rows" in conclusions(
        results
    )


def test_a_slower_spark_is_extrapolated_to_where_it_would_overtake_or_said_never_to():
    pandas = [*steps("pandas", 1_000_000, 10, 1_000), *steps("pandas", 10_000_000, 100, 10_000)]
    catching_up = [*steps("spark", 1_000_000, 50, 2_000), *steps("spark", 10_000_000, 110, 2_000)]
    # Together, pandas grows 50 s and Spark 33 s a million rows: Spark's 50 s behind at 10M close at 13M.
    assert "Spark would overtake at about 13 million rows" in conclusions(pandas + catching_up)
    falling_behind = [*steps("spark", 1_000_000, 50, 2_000), *steps("spark", 10_000_000, 500, 2_000)]
    assert "it pays off only where pandas' memory ends" in conclusions(pandas + falling_behind)


def test_the_growth_table_gives_time_and_memory_factors_per_tenfold_rows():
    results = [*steps("pandas", 100_000, 2, 100), *steps("pandas", 1_000_000, 16, 250)]
    found = {(each.engine, each.rows, each.step): each for each in results}
    table = run.growth_table(found, ["pandas"], [100_000, 1_000_000])
    assert table[0] == "| step | engine | 100k → 1M: time × / memory × |"
    assert "| train | pandas | 8.0 / 2.5 |" in table


def test_mlflow_s_cost_is_each_tracked_stage_beside_the_same_stage_without_it():
    results = [*steps("pandas", 10_000, 10, 300), *steps("mlflow", 10_000, 14, 420)]
    results.append(run.Measured("mlflow", 100_000, "train", math.nan, math.nan, math.nan, "out of memory"))
    table = run.tracking_report(results)
    assert "| 10,000 | train | 10.0 | 14.0 | +4.0 | 300 | 420 |" in table
    assert "| 10,000 | test | 10.0 | 14.0 | +4.0 | 300 | 420 |" in table
    assert "| 10,000 | analyze |" not in table  # only the stages MLflow keeps
    assert "| 100,000 |" not in table  # a stopped step has nothing to compare
    assert "changed a stage's time by +4.0 s to +4.0 s" in table
    assert "differs from the next" not in table  # only said when a tracked stage was faster
