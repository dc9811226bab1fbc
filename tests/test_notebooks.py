"""The review notebooks stay reviewable: text files in git, outputs stripped on commit, and nothing
in them but calls to the project's package, so every result they show comes from tested code."""

import ast
import json
import re
import shutil
import subprocess

import nbformat
import pytest
import yaml
from conftest import CJK, bake, read, tool

MODULE = "expense_classifier"
NOTEBOOKS = [
    "1-business-understanding",
    "2-analyze",
    "3-prepare",
    "4-preprocess",
    "5-train",
    "6-test",
]
# Statements and expressions that make logic: a notebook that needs one needs a package function.
LOGIC = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.If,
    ast.IfExp,
    ast.With,
    ast.Try,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def git(root, *arguments):
    return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, check=False)


def hooks(root):
    """Each pre-commit hook of a baked project by id, with its settings."""
    config = yaml.safe_load(read(root, ".pre-commit-config.yaml"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def as_notebook(root, name):
    """What Jupyter opens: the notebook jupytext makes of a text file, checked against the schema."""
    result = tool("jupytext", "--to", "ipynb", "--output", "-", f"notebooks/{name}.py", cwd=root)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.reads(result.stdout, as_version=4)
    nbformat.validate(notebook)
    return notebook


def test_the_notebooks_are_text_files_git_keeps(default_project):
    assert sorted(path.stem for path in (default_project / "notebooks").iterdir()) == NOTEBOOKS
    git(default_project, "init", "-q")
    # The .ipynb beside each text file is committed too: jupytext's hook needs both in the index.
    for name in NOTEBOOKS:
        for path in (f"notebooks/{name}.py", f"notebooks/{name}.ipynb"):
            ignored = git(default_project, "check-ignore", "-q", "--no-index", path)
            assert ignored.returncode == 1, f"{path} is ignored"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_notebook_only_calls_the_package(cookies, default_project, language):
    root = default_project if language == "en" else bake(cookies, language="ja")
    for name in NOTEBOOKS:
        notebook = as_notebook(root, name)
        assert notebook.metadata.kernelspec.name == "python3"
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        prose = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
        assert code and prose, name
        in_japanese = [bool(CJK.search(text)) for text in prose]
        assert in_japanese == [language == "ja"] * len(prose), f"{name}: prose not in {language}"

        tree = ast.parse("\n".join(code))
        imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
        assert imports, name
        for node in imports:
            modules = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            assert all(module.split(".")[0] == MODULE for module in modules), f"{name} imports {modules}"
        imported = {alias.asname or alias.name for node in imports for alias in node.names}
        for node in ast.walk(tree):
            assert not isinstance(node, LOGIC), f"{name} holds logic: {ast.unparse(node)[:80]}"
            if isinstance(node, ast.Call):
                called = node.func
                while isinstance(called, ast.Attribute):
                    called = called.value
                assert isinstance(called, ast.Name) and called.id in imported, f"{name}: {ast.unparse(node)}"


def test_the_jupytext_hook_keeps_a_saved_notebook_and_its_text_file_in_step(default_project, tmp_path):
    hook = hooks(default_project)["jupytext"]
    # The hook's own entry is `jupytext --pre-commit-mode`; it sees the staged files its pattern takes.
    command = ["--pre-commit-mode", *hook["args"]]
    shutil.copytree(default_project / "notebooks", tmp_path / "notebooks")
    shutil.copy(default_project / "pyproject.toml", tmp_path / "pyproject.toml")
    texts = [f"notebooks/{name}.py" for name in NOTEBOOKS]
    notebooks = [text.replace(".py", ".ipynb") for text in texts]
    assert not [text for text in texts if re.search(hook["files"], text)], "a first commit has no .ipynb"
    assert all(re.search(hook["files"], notebook) for notebook in notebooks)

    # Saving in Jupyter writes the .ipynb beside each text file; committing both passes the hook as is.
    before = {text: read(tmp_path, text) for text in texts}
    assert tool("jupytext", "--to", "ipynb", *texts, cwd=tmp_path).returncode == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    result = tool("jupytext", *command, *notebooks, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {text: read(tmp_path, text) for text in texts} == before

    # Later, an edit made to the notebook alone reaches its text file, and the commit waits for it.
    git(tmp_path, "-c", "user.name=Team", "-c", "user.email=team@example.com", "commit", "-q", "-m", "Pair")
    path = tmp_path / notebooks[1]
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source += "\n\nEdited in Jupyter."
    nbformat.write(notebook, path)
    git(tmp_path, "add", notebooks[1])
    result = tool("jupytext", *command, notebooks[1], cwd=tmp_path)
    assert result.returncode != 0, "the commit went ahead with the text file out of step"
    assert "# Edited in Jupyter." in read(tmp_path, texts[1])


def test_nbstripout_with_the_projects_arguments_strips_outputs(default_project, tmp_path):
    hook = hooks(default_project)["nbstripout"]
    notebook = as_notebook(default_project, "2-analyze")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for count, cell in enumerate(code, start=1):
        cell.execution_count = count
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text="account 12345678\n"),
            nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
        ]
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    path = tmp_path / "2-analyze.ipynb"
    nbformat.write(notebook, path)

    result = tool("nbstripout", *hook.get("args", []), str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stripped = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in stripped["cells"] if cell["cell_type"] == "code"]
    assert [(cell["outputs"], cell["execution_count"]) for cell in cells] == [([], None)] * len(code)
    assert "language_info" not in stripped["metadata"]
    assert ["".join(cell["source"]) for cell in cells] == [cell.source for cell in code]
