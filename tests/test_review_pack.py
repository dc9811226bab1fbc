"""The review pack as its readers see it: a baked project's HTML file opened in a real, headless browser,
with nothing to fetch, every figure drawn, and a verdict that names the group that falls short."""

import pytest
import yaml
from conftest import bake, run

MODULE = "expense_classifier"


def command(root, *arguments):
    result = run(["-m", MODULE, *arguments], root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def opened(page, path):
    """Open the file as a mail attachment is opened, noting every request beyond the file itself."""
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if request.url != path.as_uri() else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return fetched


@pytest.mark.slow  # a whole run of every stage
def test_the_review_pack_renders_its_figures_and_names_a_group_that_falls_short(cookies_session, page):
    root = bake(cookies_session)
    # Allow almost no gap between a group and the whole holdout: the weakest groups fall short.
    params = root / "params.yaml"
    settings = yaml.safe_load(params.read_text(encoding="utf-8"))
    settings["model"]["max_slice_gap"] = 0.001
    params.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    command(root, "run", "all")
    command(root, "review", "test")

    path = root / "reports" / "review" / "test.html"
    assert opened(page, path) == []
    assert page.locator("img").count() >= 2  # the confusion matrix and the metric per group
    drawn = page.evaluate("[...document.images].map(image => image.complete && image.naturalWidth > 0)")
    assert all(drawn), drawn
    verdict = page.locator(".verdict.not-met")
    assert verdict.count() == 1 and verdict.locator("li").count() >= 1
    assert "business_type = " in verdict.inner_text()
    page.screenshot(path=str(root / "reports" / "review" / "test.png"), full_page=True)
