"""The questions as people meet them: typed at the prompt, or taken from an organisation's config."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import types

import pytest
from conftest import CJK, CONTEXT, TEMPLATE, parse_structured, read
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config


def cookiecutter(*arguments, answers=None, cwd):
    """Run cookiecutter on this template with a home of its own, so replay files stay in the test."""
    return command_line(["cookiecutter", str(TEMPLATE), *arguments], answers=answers, cwd=cwd)


def command_line(words, answers=None, *, cwd):
    """Run a cookiecutter command line as a user types it, with a home in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", *words],
        input=answers,
        cwd=cwd,
        env={**os.environ, "HOME": str(cwd / "home")},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_template_syntax_typed_at_the_prompt_lands_literally(tmp_path):
    typed = {"project_name": "Demo {{ 7*7 }}", "description": "Uses {% raw %} and {{ cookiecutter.author }}"}
    questions = [name for name in CONTEXT if not name.startswith("_")]
    answers = "".join(f"{typed.get(name, '')}\n" for name in questions)

    result = cookiecutter("--output-dir", str(tmp_path / "out"), answers=answers, cwd=tmp_path)

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    root = tmp_path / "out" / "demo-7-7"
    assert read(root, "README.md").startswith("# Demo {{ 7*7 }}\n")
    assert parse_structured(root / "pyproject.toml")["project"]["description"] == typed["description"]
    assert parse_structured(root / "params.yaml")["project"]["name"] == "Demo {{ 7*7 }}"


def test_a_bad_answer_at_the_prompt_gets_one_message_and_no_project(tmp_path):
    questions = [name for name in CONTEXT if not name.startswith("_")]
    typed = {"owner_sponsor": "the boss"}
    answers = "".join(f"{typed.get(name, '')}\n" for name in questions)

    result = cookiecutter("--output-dir", str(tmp_path), answers=answers, cwd=tmp_path)

    assert result.returncode != 0
    assert "error: owner_sponsor 'the' is not an owner" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["home"]


def test_an_organisation_config_sets_the_defaults(tmp_path):
    config = TEMPLATE / "examples" / "organisation-config.yaml"

    output = ("--output-dir", str(tmp_path / "out"))
    result = cookiecutter("--no-input", "--config-file", str(config), *output, cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    root = tmp_path / "out" / "expense-classifier"
    params = parse_structured(root / "params.yaml")
    assert params["project"]["language"] == "ja"
    assert params["owners"]["sponsor"] == "@acme/ml-sponsors"
    assert params["owners"]["it_auditor"] == "audit@acme.example"
    assert "/docs/ @acme/product" in read(root, ".github/CODEOWNERS")
    assert "Copyright (c)" in read(root, "LICENSE") and "Acme Corporation" in read(root, "LICENSE")


def no_input_answers(**answers):
    """The answers `cookiecutter --no-input <template> key=value ...` bakes with, without baking."""
    context = generate_context(str(TEMPLATE / "cookiecutter.json"), extra_context=answers)
    return prompt_for_config(context, no_input=True)


def test_every_question_has_help_in_english_then_japanese():
    prompts = CONTEXT["__prompts__"]
    questions = [name for name in CONTEXT if not name.startswith("_")]
    assert sorted(prompts) == sorted(questions)
    # Labels that only name a product need no translation.
    product_names = {"GitHub Actions (.github/)", "GitLab CI (.gitlab-ci.yml)"}
    for name, help_text in prompts.items():
        texts = [help_text] if isinstance(help_text, str) else list(help_text.values())
        for text in texts:
            if text in product_names:
                continue
            english, _, japanese = text.partition(" / ")
            assert english.isascii() and CJK.search(japanese), f"{name}: {text}"
            assert "\n" not in text, name


def test_a_japanese_project_name_gets_a_readable_ascii_folder(cookies):
    """slugify alone reads kanji the Chinese way: 解約予測 would become jie-yue-yu-ce."""
    result = cookies.bake(extra_context={"language": "ja", "project_name": "解約予測"})

    assert result.exit_code == 0, result.exception
    folder = result.project_path.name
    assert folder.isascii() and re.fullmatch(r"[a-z]+(-[a-z]+)*", folder), folder
    assert folder != "jie-yue-yu-ce"
    if importlib.util.find_spec("pykakasi") is None:
        assert folder == "ml-project"
    assert read(result.project_path, "README.md").startswith("# 解約予測\n")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Expense Classifier", "expense-classifier"),
        ("Café Forecast 2", "cafe-forecast-2"),
        ("Acme 解約予測", "acme"),
        ("2024年 解約予測", "ml-project"),
        ("「解約」予測", "ml-project"),
    ],
)
def test_the_default_slug_without_a_romaji_library(monkeypatch, name, slug):
    monkeypatch.setitem(sys.modules, "pykakasi", None)  # import pykakasi fails, as where it is missing

    answers = no_input_answers(project_name=name)

    assert (answers["project_slug"], answers["module_name"]) == (slug, slug.replace("-", "_"))


def test_the_default_slug_reads_japanese_in_romaji_where_pykakasi_is_installed(monkeypatch):
    readings = {"解約": "kaiyaku", "予測": "yosoku", "鬱": "鬱"}  # a word it cannot read stays kanji

    class Kakasi:
        def convert(self, text):
            return [
                {"hepburn": readings.get(word, word)} for word in re.findall(r"[^\x00-\x7f]{1,2}|\w+", text)
            ]

    monkeypatch.setitem(sys.modules, "pykakasi", types.SimpleNamespace(kakasi=Kakasi))

    assert no_input_answers(project_name="解約予測")["project_slug"] == "kaiyaku-yosoku"
    assert no_input_answers(project_name="Acme 解約予測 v2")["project_slug"] == "acme-kaiyaku-yosoku-v2"
    # Never the Chinese reading of what the library left unread (鬱 -> yu).
    assert no_input_answers(project_name="解約鬱")["project_slug"] == "kaiyaku"


def test_a_rejected_bake_says_how_to_retry_without_retyping_and_shows_no_traceback(tmp_path):
    output = tmp_path / "out"

    rejected = cookiecutter("--no-input", "--output-dir", str(output), "module_name=class", cwd=tmp_path)

    shown = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0
    assert "error: module_name 'class' is a Python keyword" in rejected.stderr
    assert "Traceback" not in shown, shown
    replay_file = tmp_path / "home" / ".cookiecutter_replay" / f"{TEMPLATE.name}.json"
    assert f"Your answers are saved in {replay_file}." in rejected.stderr
    retry = rejected.stderr.split("without retyping:\n", 1)[1].splitlines()[0].split()
    assert retry[:3] == ["cookiecutter", "--replay-file", str(replay_file)]
    assert not output.exists() or list(output.iterdir()) == []

    saved = json.loads(replay_file.read_text(encoding="utf-8"))
    saved["cookiecutter"]["module_name"] = "expense_model"
    replay_file.write_text(json.dumps(saved), encoding="utf-8")
    retried = command_line(retry, cwd=tmp_path)

    assert retried.returncode == 0, retried.stdout[-2000:] + retried.stderr[-2000:]
    assert (output / "expense-classifier" / "expense_model").is_dir()


def test_a_slug_that_is_no_folder_name_also_says_how_to_retry(tmp_path):
    rejected = cookiecutter(
        "--no-input", "--output-dir", str(tmp_path / "out"), "project_slug=a/b", cwd=tmp_path
    )

    shown = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0
    assert "error: project_slug 'a/b' is not a valid folder" in shown
    assert "bake again without retyping:\n    cookiecutter --replay-file " in shown
    assert "Traceback" not in shown, shown


@pytest.mark.parametrize(
    ("language", "heading", "next_heading"),
    [("en", "Your first week", "Quick start"), ("ja", "最初の1週間", "はじめかた")],
)
def test_after_baking_the_first_week_is_shown_in_the_projects_language_and_leads_the_readme(
    tmp_path, language, heading, next_heading
):
    answers = (f"language={language}", "owner_product_manager=@pm")
    result = cookiecutter("--no-input", "--output-dir", str(tmp_path / "out"), *answers, cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    readme = tmp_path / "out" / "expense-classifier" / "README.md"
    assert f"\n{heading}: {readme}\n" in result.stdout
    shown = result.stdout.split(str(readme), 1)[1]
    assert "docs/pr-faq.md" in shown and "(@pm)" in shown and "docs/checklists/" in shown
    assert ("Product Manager (@pm)" in shown) == (language == "en")
    assert not CJK.search(shown) if language == "en" else "プロダクトマネージャー (@pm)" in shown
    sections = re.findall(r"^## (.+)$", readme.read_text(encoding="utf-8"), re.MULTILINE)
    assert sections[:2] == [heading, next_heading]
