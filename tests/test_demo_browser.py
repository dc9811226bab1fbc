"""The demo as a person sees it: a baked project's Streamlit app in a real, headless browser.

The generated project's own tests drive the app through Streamlit's AppTest, which runs the script
without a browser; this one starts `streamlit run` as a person does, on a free localhost port, opens
the page in Chromium, predicts the form's example and reads the answer where people read it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml
from conftest import bake, run

# Seconds the app may take to start and to answer; the first answer loads the model.
STARTUP_SECONDS = 90
ANSWER_MS = 60_000


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url, app):
    """Wait until Streamlit answers its health check; fail with its output if it stops or never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if app.poll() is not None:
            pytest.fail(f"streamlit stopped with {app.returncode}: {app.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not answer at {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def tested_project(cookies_session):
    """The default project with a trained and tested model, as the demo needs it."""
    root = bake(cookies_session)
    result = run(["-m", root.name.replace("-", "_"), "run", "all"], root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root


@pytest.fixture()
def demo_url(tested_project):
    """The demo served by `streamlit run` from the project folder on a free localhost port."""
    root, module = tested_project, tested_project.name.replace("-", "_")
    port = free_port()
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            f"{module}/kit/operations/demo.py",
            "--server.port",
            str(port),
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://localhost:{port}"
    try:
        wait_until_healthy(url, app)
        yield url
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


@pytest.mark.slow
def test_the_demo_shows_the_labelled_class_of_a_prediction_in_a_browser(
    tested_project, demo_url, page, tmp_path
):
    root, module = tested_project, tested_project.name.replace("-", "_")
    settings = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    language = settings["project"]["language"]
    messages_file = root / module / "kit" / "operations" / f"messages.{language}.yaml"
    say = yaml.safe_load(messages_file.read_text(encoding="utf-8"))["demo"]
    class_names = set(settings["data"]["labels"]["classes"].values())
    assert class_names, "the default project's params.yaml names the classes"
    # The app listens on localhost only, as its .streamlit/config.toml says.
    config = (root / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'address = "localhost"' in config and "gatherUsageStats = false" in config

    page.goto(demo_url, wait_until="domcontentloaded")
    # One number entered as a person would; every other field left empty is a missing value.
    predict = page.get_by_role("button", name=say["predict"])
    predict.wait_for(state="visible", timeout=ANSWER_MS)
    number_column = next(iter(settings["data"]["expected_ranges"]))
    page.get_by_label(settings["data"]["labels"]["columns"][number_column]).fill("30000")
    predict.click()
    answer = page.get_by_test_id("stMetric").filter(has_text=say["answer"]["prediction"]).first
    answer.wait_for(state="visible", timeout=ANSWER_MS)
    shown = answer.get_by_test_id("stMetricValue").inner_text().strip()
    page.get_by_text(say["reasons"]["title"]).first.wait_for(state="visible", timeout=ANSWER_MS)
    screenshot = tmp_path / "demo.png"
    page.screenshot(path=str(screenshot), full_page=True)

    assert shown in class_names, shown
    assert screenshot.stat().st_size > 0
