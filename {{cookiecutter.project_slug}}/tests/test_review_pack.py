"""The review pack is what sponsors and domain experts read: one file that opens anywhere and says
what the meeting decides, whether the stage passes and why not."""

import html
import json
import re
from html.parser import HTMLParser

import pytest

from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.operations.explain import Labels
from {{ cookiecutter.module_name }}.kit.process import review, review_pack
from {{ cookiecutter.module_name }}.kit.process.owners import Team
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

say = messages_here(review_pack.__file__)


class Page(HTMLParser):
    """What a browser would fetch besides the page, and the images the page holds."""

    def __init__(self, text):
        super().__init__()
        self.fetched, self.images = [], []
        self.feed(text)

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "img":
            self.images.append(attributes.get("src", ""))
        for name in ("src", "href"):
            if attributes.get(name) and not attributes[name].startswith(("data:", "#")):
                self.fetched.append(f"<{tag} {name}={attributes[name]}>")
        if tag in ("script", "link", "iframe", "object"):
            self.fetched.append(f"<{tag}>")


@pytest.fixture()
def reviewed(finished, copy_readmes):
    """A finished run with the documents the checklist reads, as the working folder."""
    copy_readmes(finished)
    return Project.load(finished)


@pytest.mark.parametrize("stage", ["analyze", "test"])
def test_a_review_pack_holds_everything_it_shows_and_fetches_nothing(reviewed, command, stage):
    said = command(["review", stage])
    path = reviewed.root / review_pack.FOLDER / f"{stage}.html"
    assert said.out.strip() == say("review_pack.written", path=f"{review_pack.FOLDER}/{stage}.html")
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert page.fetched == []
    figures = [part for part in review.report_parts(reviewed, stage) if isinstance(part, review.Figure)]
    assert len(page.images) == len(figures) and all(
        src.startswith("data:image/png;base64,") for src in page.images
    )
    assert html.escape(say(f"review_pack.decisions.{stage}")) in text
    team = Team(reviewed.settings)
    assert all(html.escape(person.tag) in text for person in review.invitees(reviewed, stage))
    assert html.escape(team.tag(review.process_stage(stage).owner)) in text


def test_the_test_verdict_names_every_group_that_falls_short(reviewed):
    metrics = reviewed.path("metrics")
    results = json.loads(metrics.read_text(encoding="utf-8"))
    if not results["slices"]:
        pytest.skip(skip_reason("no_segment_column"))
    name = next(iter(results["slices"]))
    results["slices"][name].update(meets_requirement=False, within_allowed_gap=False)
    results["slices"]["<b>new</b>"] = {**results["slices"][name], "meets_requirement": True}
    results["value"]["beats_baseline"] = False
    metrics.write_text(json.dumps(results), encoding="utf-8")

    met, verdict = review_pack.holdout_verdict(reviewed, say)
    assert not met and html.escape(say("review_pack.outcome.not_met")) in verdict
    column = reviewed.settings.data.segment_column
    assert f"{html.escape(str(column))} = {html.escape(name)}:" in verdict
    assert "&lt;b&gt;new&lt;/b&gt;" in verdict and "<b>new" not in verdict
    assert html.escape(say("review_pack.fails.baseline")) in verdict


def test_a_pack_before_its_report_exists_says_which_command_makes_it(reviewed, command, refused):
    report = reviewed.report_dir(review.VALUE) / "report.md"
    report.unlink(missing_ok=True)
    expected = say(
        "review_pack.report_missing",
        report=f"reports/{review.VALUE}/report.md",
        command=review.command(review.VALUE),
    )
    refused(reviewed.root, ["review", "business_understanding"], expected)


def test_the_run_facts_name_the_model_the_pack_shows(reviewed):
    facts = review_pack.run_facts(reviewed, say)
    version = json.loads(reviewed.path("metrics").read_text(encoding="utf-8"))["model_version"]
    assert re.search(
        rf"{re.escape(html.escape(say('review_pack.facts.model')))}: <code>{version}</code>", facts
    )


def test_the_test_pack_says_what_the_numbers_mean_for_the_people_who_decide(reviewed):
    results = json.loads(reviewed.path("metrics").read_text(encoding="utf-8"))["holdout"]
    terms = "".join(review_pack.business_terms(reviewed, say))
    if reviewed.problem_type == "classification":
        expected = say("review_pack.terms.accuracy", right=round(results["accuracy"] * 100))
    else:
        target = Labels.of(reviewed.data.labels).column(reviewed.data.target)
        expected = say("review_pack.terms.r2", share=max(results["r2"], 0) * 100, target=target)
    assert html.escape(expected) in terms
