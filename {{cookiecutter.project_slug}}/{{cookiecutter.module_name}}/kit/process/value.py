"""The value of ML as the workshop writes it: users × items per user × effect per item.

Set against development and operation cost, the monthly value gives a payback period. The Test
stage feeds in the measured share of correct predictions to show the value the model delivers.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from ..core.config import ValueSettings
from ..core.files import write_json
from ..core.messages import Messages, messages_beside
from ..core.pipeline import Project
from ..core.records import Evaluation
from ..reports.figures import messages, money_axis, reference_line
from ..reports.report import Report, plt


def monthly_value(value: ValueSettings, share_correct: float = 1.0) -> float:
    """Value per month when `share_correct` of the predictions are right and the rest need fixing."""
    items = value.users * value.items_per_user
    return items * (value.effect_per_item * share_correct - value.cost_per_error * (1 - share_correct))


def payback_month(value: ValueSettings, per_month: float) -> int | None:
    """The first month whose cumulative value covers development and operation; None if never."""
    net = per_month - value.operation_cost_per_month
    if net <= 0:
        return None
    months = value.development_cost / net
    return int(months) if months.is_integer() else int(months) + 1


def outlook(value: ValueSettings, share_correct: float | None = None) -> dict[str, dict[str, Any]]:
    """Value per month and payback month as planned (every prediction right) and, once measured, at the
    measured share of correct predictions."""
    per_month = {"planned": monthly_value(value)}
    if share_correct is not None:
        per_month["measured"] = monthly_value(value, share_correct)
    return {
        name: {"value_per_month": amount, "payback_month": payback_month(value, amount)}
        for name, amount in per_month.items()
    }


def payback_figure(
    value: ValueSettings, results: dict[str, dict[str, Any]], case: dict[str, str], say: Messages
) -> Figure:
    """Cumulative value of each case against cost, month by month, with each case's break-even month
    marked; a case that does not break even within the horizon says so in the title."""
    months = list(range(value.horizon_months + 1))
    figure, axis = plt.subplots(figsize=(8, 4))
    cost = [value.development_cost + value.operation_cost_per_month * month for month in months]
    axis.plot(months, cost, color="#C44E52", label=say("value.figure.cost"))
    amounts, missed = list(cost), []
    for name, result in results.items():
        cumulative = [result["value_per_month"] * month for month in months]
        amounts += cumulative
        (line,) = axis.plot(months, cumulative, label=say("value.figure.value", case=case[name]))
        month = result["payback_month"]
        if month is None or month > value.horizon_months:
            missed.append(say("value.figure.no_break_even", case=case[name], months=value.horizon_months))
            continue
        label = say("value.figure.break_even", case=case[name], month=month)
        reference_line(axis, month, label, vertical=True, color=line.get_color(), linestyle=":")
        axis.plot([month], [cumulative[month]], marker="o", linestyle="none", color=line.get_color())
    axis.set_xlabel(say("value.figure.months"))
    money_axis(axis.yaxis, amounts, value.currency, say("value.figure.amount"), messages(say.language))
    if missed:
        axis.set_title("\n".join(missed))
    axis.legend(loc="upper left")
    return figure


def payback_text(month: int | None, language: str) -> str:
    """A payback month as a person reads it, in the project's language."""
    say = messages_beside(__file__, language)
    if month is None:
        return say("value.never")
    return say("value.one_month") if month == 1 else say("value.months", months=month)


def measured_share_correct(project: Project) -> float | None:
    """The share of correct predictions the Test stage measured, if it has run."""
    if not project.path("metrics").is_file():
        return None
    return project.read(Evaluation, "metrics").value.share_correct


def run(project: Project) -> list[str]:
    value = project.settings.value
    currency = value.currency
    measured = measured_share_correct(project)
    results = outlook(value, measured)
    shares = {"planned": 1.0, "measured": measured}
    say = project.messages(__file__)

    report = Report(project.report_dir("value"), say("value.title"), say.language)
    report.paragraph(
        say(
            "value.formula",
            users=value.users,
            items=value.items_per_user,
            effect=value.effect_per_item,
            currency=currency,
        )
    )
    costs = say(
        "value.costs",
        development=value.development_cost,
        operation=value.operation_cost_per_month,
        currency=currency,
    )
    assumptions = [
        say(f"value.assumption.{name}", error_cost=value.cost_per_error, currency=currency)
        for name in results
    ]
    report.paragraph(" ".join([costs, *assumptions]))
    case = {name: say(f"value.case.{name}") for name in results}
    report.table(
        [
            say("value.table.case"),
            say("value.table.right"),
            say("value.table.per_month", currency=currency),
            say("value.table.net", currency=currency),
            say("value.table.payback"),
        ],
        [
            [
                case[name],
                f"{shares[name]:.1%}",
                result["value_per_month"],
                result["value_per_month"] - value.operation_cost_per_month,
                payback_text(result["payback_month"], say.language),
            ]
            for name, result in results.items()
        ],
    )
    report.figure("payback", payback_figure(value, results, case, say), say("value.figure.caption"))
    write_json(project.report_dir("value") / "value.json", results)
    path = report.write()
    return [
        say(
            "value.console.case",
            case=case[name],
            per_month=result["value_per_month"],
            currency=currency,
            payback=payback_text(result["payback_month"], say.language),
        )
        for name, result in results.items()
    ] + [say("value.console.report", path=path.relative_to(project.root))]
