"""Bad answers stop the bake with one clear message and leave nothing behind.

This is the prompt part of the bad-input matrix; answers that are unusual but fine (quotes, template
syntax, YAML and Markdown metacharacters, Japanese, very long text) are in test_free_text.py and
test_prompts.py, and land literally.
"""

import pytest

LONG = "a" * 300

# (answers, what the message must say): a table to scan.
BAD_ANSWERS = [
    ({"project_slug": ""}, "project_slug '' is not a valid folder and distribution name"),
    ({"project_slug": LONG}, "project_slug is 300 characters long; use at most 100"),
    ({"project_slug": "my/project"}, "project_slug 'my/project' is not a valid folder"),
    ({"project_slug": "..", "module_name": "dots"}, "project_slug '..' is not a valid folder"),
    ({"project_slug": "-leading-dash"}, "is not a valid folder and distribution name"),
    ({"project_slug": "class"}, "is a Python keyword"),
    ({"module_name": ""}, "module_name '' is not a valid Python identifier"),
    ({"module_name": LONG}, "module_name is 300 characters long; use at most 100"),
    ({"module_name": "2fast"}, "is not a valid Python identifier"),
    ({"module_name": "my-module"}, "is not a valid Python identifier"),
    ({"module_name": "モジュール"}, "is not a valid Python identifier"),
    ({"module_name": "import"}, "is a Python keyword"),
    ({"module_name": "json"}, "is the name of a standard-library module"),
    ({"module_name": "test"}, "is taken by a folder of the project or by Python"),
    ({"module_name": "data"}, "is taken by a folder of the project or by Python"),
    ({"project_name": "   ", "project_slug": "blank"}, "project_name is empty"),
    ({"project_name": "Two\nlines"}, "project_name must be one line"),
    ({"description": ""}, "description is empty"),
    ({"description": "{% raw %}"}, "one made only of template tags renders empty"),
    ({"description": "Colours \x1b[31mred\x1b[0m"}, "description contains a control character"),
    ({"author": "Bell\x07"}, "author contains a control character"),
    ({"author": " "}, "author is empty"),
    ({"owner_sponsor": "@"}, "owner_sponsor '@' is not an owner"),
    ({"owner_sponsor": "alice"}, "owner_sponsor 'alice' is not an owner"),
    ({"owner_data_engineer": "@alice bob"}, "owner_data_engineer 'bob' is not an owner"),
    ({"owner_domain_expert": "mail@nowhere"}, "owner_domain_expert 'mail@nowhere' is not an owner"),
    ({"metric": ""}, "metric '' is unknown"),
    ({"metric": "bleu"}, "metric 'bleu' is unknown"),
    ({"metric": "rmse"}, "metric 'rmse' does not fit a classification problem"),
    ({"problem_type": "regression", "metric": "f1"}, "metric 'f1' does not fit a regression problem"),
    ({"metric_threshold": "high"}, "metric_threshold 'high' is not a number"),
    ({"metric_threshold": "1.5"}, "metric_threshold 1.5 is out of range for f1"),
    ({"metric_threshold": "0"}, "metric_threshold 0 is out of range for f1"),
    ({"problem_type": "regression", "metric": "rmse", "metric_threshold": "-3"}, "out of range for rmse"),
    ({"metric_threshold": ""}, "metric_threshold '' is not a number"),
    ({"metric_threshold": "nan"}, "out of range for f1"),
    ({"metric_threshold": "inf"}, "out of range for f1"),
    ({"example_data": "iris"}, "example_data 'iris' is unknown"),
    ({"example_data": "diabetes"}, "example_data 'diabetes' is a regression example"),
    ({"problem_type": "regression", "example_data": "expenses"}, "does not fit a regression problem"),
    # Choices outside the list are refused by cookiecutter itself, before any file is written.
    ({"language": "fr"}, "fr provided for choice variable language"),
    ({"ci": "jenkins"}, "jenkins provided for choice variable ci"),
    ({"python_version": "2.7"}, "2.7 provided for choice variable python_version"),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS, ids=[m for _, m in BAD_ANSWERS])
def test_a_bad_answer_fails_with_its_message_and_leaves_nothing(cookies, capfd, tmp_path, answers, message):
    result = cookies.bake(extra_context=answers)

    assert result.exit_code != 0
    errors = capfd.readouterr().err
    assert message in errors + str(result.exception)
    # One message per bad answer: the other answers raise nothing.
    assert errors.count("error: ") <= 1
    output = tmp_path / "cookies" / "bake00"
    assert not output.exists() or list(output.iterdir()) == []


@pytest.mark.parametrize("place", ["nested/folder", "../outside", "absolute"])
def test_a_slug_naming_another_place_creates_nothing_anywhere(cookies, tmp_path, place):
    """Cookiecutter would create the project folder and its parents before any hook could object."""
    slug = str(tmp_path / "elsewhere" / "project") if place == "absolute" else place
    before = sorted(tmp_path.rglob("*"))

    result = cookies.bake(extra_context={"project_slug": slug, "module_name": "project"})

    assert result.exit_code != 0
    assert f"project_slug {slug!r} is not a valid folder" in str(result.exception)
    # pytest-cookies creates the output directory, empty, before cookiecutter runs.
    output = tmp_path / "cookies" / "bake00"
    assert not output.exists() or list(output.iterdir()) == []
    assert sorted(set(tmp_path.rglob("*")) - {output}) == before
