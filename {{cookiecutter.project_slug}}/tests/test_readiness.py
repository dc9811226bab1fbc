"""The readiness score must count only checks that exist, ran and passed, and fail its gate otherwise."""

import ast
import xml.etree.ElementTree as ElementTree

import pytest

from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core.messages import messages_beside
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process import readiness

NO_TIME = readiness.not_applicable("no_time_column")


def junit(outcomes):
    """A pytest --junitxml file with one test case per check, passed unless `outcomes` says otherwise."""
    cases = []
    for check, outcome in outcomes.items():
        path, name = check.split("::")
        classname = path.removesuffix(".py").replace("/", ".")
        inner = {
            "passed": "",
            "failed": '<failure message="assert False">trace</failure>',
            "skipped": '<skipped type="pytest.skip" message="no baseline stored yet">skip</skipped>',
            "not applicable": f'<skipped type="pytest.skip" message="{NO_TIME}">skip</skipped>',
        }[outcome]
        cases.append(f'<testcase classname="{classname}" name="{name}" time="0.1">{inner}</testcase>')
    return f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite>{"".join(cases)}</testsuite></testsuites>'


def defined_functions(path):
    """The names of the functions a test file defines at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def all_checks(outcome="passed"):
    return {check: outcome for test in readiness.TESTS for check in test.checks}


def automated_per_section():
    return {
        section: sum(1 for test in readiness.TESTS if test.section == section and test.checks)
        for section in readiness.SECTIONS
    }


@pytest.fixture()
def results_file(tmp_path):
    def write(outcomes):
        path = tmp_path / "results.xml"
        path.write_text(junit(outcomes), encoding="utf-8")
        return path

    return write


def test_the_rubric_has_seven_tests_per_section_and_each_says_what_it_asserts():
    for section in readiness.SECTIONS:
        assert sum(test.section == section for test in readiness.TESTS) == 7
    result = readiness.score(Project.load(), {})
    manual = messages_beside(readiness.__file__, result_language())("readiness.status.manual")
    for test, scored in zip(readiness.TESTS, result.tests, strict=True):
        assert scored.title and scored.covers
        assert test.checks or scored.covers.lower().startswith(f"{manual.lower()}:"), scored.covers
    assert min(automated_per_section().values()) >= 6


def test_every_mapped_check_is_a_test_function_of_this_project():
    root = Project.load().root
    for test in readiness.TESTS:
        for check in test.checks:
            path, name = check.split("::")
            assert (root / path).is_file(), f"{test.key}: {path} does not exist"
            assert name in defined_functions(root / path), f"{test.key}: no {name} in {path}"


def test_every_check_passing_scores_each_section_by_its_automated_tests(results_file):
    result = readiness.score(Project.load(), readiness.outcomes(results_file(all_checks())))
    assert result.sections == automated_per_section()
    assert result.final == min(automated_per_section().values())
    assert result.met


def test_a_failing_check_lowers_its_section_and_fails_the_gate(results_file, capsys, monkeypatch):
    monkeypatch.chdir(Project.load().root)
    nan_check = "tests/test_predict.py::test_a_model_that_predicts_nan_or_infinity_is_stopped"
    outcomes = {**all_checks(), nan_check: "failed"}
    assert main(["readiness", "--results", str(results_file(outcomes))]) == 1
    report = capsys.readouterr().out
    result = readiness.score(Project.load(), readiness.outcomes(results_file(outcomes)))
    assert result.sections["monitoring"] == automated_per_section()["monitoring"] - 1
    assert not result.met
    failing = [test.title for test in result.tests if test.status == "failing"]
    assert len(failing) == 1
    assert failing[0] in report


def test_a_skipped_or_missing_check_is_not_counted(results_file):
    staleness = next(test for test in readiness.TESTS if test.key == "staleness_impact")
    outcomes = {**all_checks(), staleness.checks[0]: "skipped"}
    skipped = readiness.score(Project.load(), readiness.outcomes(results_file(outcomes)))
    del outcomes[staleness.checks[0]]
    missing = readiness.score(Project.load(), readiness.outcomes(results_file(outcomes)))
    for result in (skipped, missing):
        assert result.sections["model"] == automated_per_section()["model"] - 1
        assert result.met  # not run is not a failure, as long as the section keeps the minimum


def test_a_check_the_data_gives_nothing_to_check_counts_as_met_and_says_why(results_file):
    staleness = next(test for test in readiness.TESTS if test.key == "staleness_impact")
    outcomes = {**all_checks(), **dict.fromkeys(staleness.checks, "not applicable")}
    result = readiness.score(Project.load(), readiness.outcomes(results_file(outcomes)))
    assert result.sections == automated_per_section()
    scored = next(test for test in result.tests if test.checks == list(staleness.checks))
    assert scored.status == "not_applicable" and scored.why == [
        f"{check}: {NO_TIME}" for check in staleness.checks
    ]


def test_a_rubric_test_with_a_skipped_check_beside_an_inapplicable_one_is_not_run(results_file):
    sliced = next(test for test in readiness.TESTS if len(test.checks) > 1)
    outcomes = {**all_checks(), sliced.checks[0]: "not applicable", sliced.checks[1]: "skipped"}
    result = readiness.score(Project.load(), readiness.outcomes(results_file(outcomes)))
    assert result.sections[sliced.section] == automated_per_section()[sliced.section] - 1


def result_language():
    return Project.load().settings.project.language


def test_a_section_below_the_minimum_fails_the_gate(results_file):
    project = Project.load()
    project.settings.readiness.minimum_score = 5
    outcomes = {check: "skipped" for check in all_checks() if "/test_train.py::" in check}
    result = readiness.score(project, readiness.outcomes(results_file({**all_checks(), **outcomes})))
    assert result.sections["infrastructure"] < 5
    assert not result.met


def test_unreadable_results_get_one_clear_message(tmp_path, capsys, monkeypatch, error_prefix):
    monkeypatch.chdir(Project.load().root)
    broken = tmp_path / "results.xml"
    broken.write_text("<testsuites", encoding="utf-8")
    assert main(["readiness", "--results", str(broken)]) == 2
    message = capsys.readouterr().err
    with pytest.raises(ElementTree.ParseError) as unreadable:
        ElementTree.parse(broken)
    say = messages_beside(readiness.__file__, result_language())
    fix = say("refused.write_test_results", results=broken)
    expected = say("refused.test_results", results=broken, error=unreadable.value, fix=fix)
    assert message == f"{error_prefix}{expected}\n", message
