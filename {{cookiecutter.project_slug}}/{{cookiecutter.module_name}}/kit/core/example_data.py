"""Example data that works offline, so every stage can run before the real data arrives.

`expenses()` makes up the bank transactions of sole proprietors, the story this project starts
from: is a transaction line a business expense? The rows carry the mess that real exports have
(missing values, outliers, exact duplicates, an id, a constant column, personal data and a column
that leaks the answer) so that the Analyze and Preprocess stages have something to find. The payees'
names, the memos' words and the category values are data, kept beside this file with a column per
language (`example_merchants.csv`, `example_notes.csv`, `example_categories.csv`): a project's lines
read in its own language, and every language draws the same random numbers, so its labels are the same.
`diabetes()` is scikit-learn's small bundled data set, for projects that predict a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

EXPENSES_TARGET = "is_business_expense"
DIABETES_TARGET = "disease_progression"

FIRST_DAY = np.datetime64("2020-01-01")
LAST_DAY = np.datetime64("2021-12-31")
BUSINESS_TYPE_SHARES = {
    "design": 0.24,
    "consulting": 0.20,
    "retail": 0.18,
    "restaurant": 0.16,
    "it_services": 0.13,
    "photography": 0.09,
}
PAYMENT_METHODS = ("card", "bank_transfer", "direct_debit", "cash")
# Transfers and direct debits reach the statement with the payee's name in katakana; cards and cash
# receipts print the name the merchant goes by.
KANA_PAYMENT_METHODS = ("bank_transfer", "direct_debit")
DEPOSIT_SHARE = 0.15
TRANSACTIONS_PER_ACCOUNT = 200

# What moves the log-odds of a business expense beyond the counterparty and the business type.
DEPOSIT_LEAN = -10.0  # money coming in is almost never an expense
AMOUNT_LEAN = 1.5  # per standard deviation above the usual amount: bigger buys are more often for work
PAYMENT_LEANS = (0.0, 0.8, 0.0, -1.5)  # in PAYMENT_METHODS order: cash is more often private

# Flaws of the export, as shares of rows.
OUTLIER_SHARE = 0.005
MISSING_AMOUNT_SHARE = 0.02
MISSING_PAYMENT_SHARE = 0.05
DUPLICATE_SHARE = 0.01
BOOKKEEPING_ERROR_SHARE = 0.01
MEMO_SHARE = 0.25
UNSURE_MEMO_SHARE = 0.3  # of the memos; the others hint at the answer

MERCHANTS_FILE = Path(__file__).with_name("example_merchants.csv")
NOTES_FILE = Path(__file__).with_name("example_notes.csv")
CATEGORIES_FILE = Path(__file__).with_name("example_categories.csv")


@dataclass(frozen=True)
class Counterparty:
    """A kind of counterparty: how often it appears, what it costs and how it is booked."""

    withdrawal_weight: float
    deposit_weight: float  # refunds, and clients paying their invoices
    median_amount: float  # yen
    amount_spread: float  # standard deviation of the log amount
    account_title: str  # what the accountant books it as when it is a business expense


@dataclass(frozen=True)
class Merchant:
    """A payee, named as the bank statement shows it."""

    name: str  # as a card statement prints it, in the project's language
    kana: str  # as a bank transfer or direct debit prints it
    lean: float  # how much it moves the log-odds of a business expense


# How often each counterparty appears among withdrawals and among deposits (relative weights), what
# it usually costs in yen, how widely that varies and what a business expense with it is booked as.
# fmt: off
COUNTERPARTIES = {
    #                               withdrawals deposits median spread account title
    "software":        Counterparty(6,          1,        3_000, 0.8,   "COMMUNICATION"),
    "office_supplies": Counterparty(7,          1,        2_500, 0.9,   "SUPPLIES"),
    "travel":          Counterparty(10,         1,        4_000, 1.0,   "TRAVEL"),
    "telecom":         Counterparty(6,          0,        6_000, 0.5,   "COMMUNICATION"),
    "utilities":       Counterparty(5,          0,        8_000, 0.6,   "UTILITIES"),
    "groceries":       Counterparty(20,         0,        3_500, 0.8,   "PURCHASES"),
    "restaurant":      Counterparty(19,         0,        3_000, 0.9,   "ENTERTAINMENT"),
    "entertainment":   Counterparty(7,          0,        4_000, 0.9,   "ENTERTAINMENT"),
    "electronics":     Counterparty(4,          1,       30_000, 1.0,   "EQUIPMENT"),
    "rent":            Counterparty(4,          0,       90_000, 0.4,   "RENT"),
    "transfer":        Counterparty(8,          30,      60_000, 1.0,   "OUTSOURCING"),
    "medical":         Counterparty(5,          0,        3_000, 0.8,   "WELFARE"),
    "clothing":        Counterparty(5,          1,        6_000, 0.8,   "SUPPLIES"),
}

# How each counterparty is paid, in PAYMENT_METHODS order.
PAYMENT_SHARES = {
    #                   card  bank_transfer direct_debit cash
    "software":        (0.85, 0.05,         0.10,        0.00),
    "office_supplies": (0.60, 0.05,         0.00,        0.35),
    "travel":          (0.55, 0.05,         0.00,        0.40),
    "telecom":         (0.30, 0.00,         0.70,        0.00),
    "utilities":       (0.10, 0.10,         0.80,        0.00),
    "groceries":       (0.50, 0.00,         0.00,        0.50),
    "restaurant":      (0.45, 0.00,         0.00,        0.55),
    "entertainment":   (0.70, 0.00,         0.10,        0.20),
    "electronics":     (0.80, 0.10,         0.00,        0.10),
    "rent":            (0.00, 0.60,         0.40,        0.00),
    "transfer":        (0.00, 1.00,         0.00,        0.00),
    "medical":         (0.30, 0.00,         0.00,        0.70),
    "clothing":        (0.70, 0.00,         0.00,        0.30),
}

# How often a line is a business expense, by counterparty and business type, before the merchant,
# the amount, the payment method and the direction move it.
BUSINESS_SHARES = {
    #                   design consulting retail restaurant it_services photography
    "software":        (0.99,  0.95,      0.35,  0.15,      0.99,       0.98),
    "office_supplies": (0.98,  0.98,      0.99,  0.97,      0.98,       0.97),
    "travel":          (0.85,  0.97,      0.65,  0.35,      0.85,       0.97),
    "telecom":         (0.90,  0.95,      0.80,  0.65,      0.97,       0.90),
    "utilities":       (0.10,  0.05,      0.50,  0.85,      0.05,       0.15),
    "groceries":       (0.01,  0.01,      0.05,  0.99,      0.01,       0.02),
    "restaurant":      (0.05,  0.35,      0.02,  0.03,      0.05,       0.03),
    "entertainment":   (0.01,  0.02,      0.01,  0.01,      0.01,       0.02),
    "electronics":     (0.85,  0.35,      0.15,  0.05,      0.95,       0.98),
    "rent":            (0.65,  0.50,      0.98,  0.99,      0.50,       0.65),
    "transfer":        (0.50,  0.65,      0.95,  0.92,      0.50,       0.85),
    "medical":         (0.01,  0.01,      0.01,  0.01,      0.01,       0.01),
    "clothing":        (0.01,  0.01,      0.01,  0.10,      0.01,       0.02),
}
# fmt: on

DIABETES_COLUMNS = {
    "age": "age",
    "sex": "sex",
    "bmi": "bmi",
    "bp": "blood_pressure",
    "s1": "total_cholesterol",
    "s2": "ldl",
    "s3": "hdl",
    "s4": "cholesterol_hdl_ratio",
    "s5": "triglycerides_log",
    "s6": "blood_sugar",
    "target": DIABETES_TARGET,
}


def expenses(rows: int = 40_000, seed: int = 0, *, language: str) -> pd.DataFrame:
    """Bank transaction lines of sole proprietors, each labelled whether it is a business expense.

    The same `rows` and `seed` always give the same frame; `language` (the project's) changes only
    the words of its names, memos and category values. Whether a line is an expense depends on
    what was bought, by whom, for how much and how it was paid, plus chance, so a model can learn
    most of it but not all.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, not {rows}.")
    rng = np.random.default_rng(seed)
    duplicate_count = round(rows * DUPLICATE_SHARE)
    size = rows - duplicate_count
    counterparties = list(COUNTERPARTIES.values())
    payees = _payees(language)
    merchant_counts = np.array([len(payees[name]) for name in COUNTERPARTIES])
    first_merchants = np.cumsum(merchant_counts) - merchant_counts
    merchants = [merchant for name in COUNTERPARTIES for merchant in payees[name]]

    # Each account belongs to one owner, so all its lines share one business type.
    account_count = size // TRANSACTIONS_PER_ACCOUNT + 1
    account_numbers = rng.choice(10_000_000, size=account_count, replace=False)
    account_business_types = rng.choice(
        len(BUSINESS_TYPE_SHARES), size=account_count, p=list(BUSINESS_TYPE_SHARES.values())
    )
    account = rng.integers(account_count, size=size)
    business_type = account_business_types[account]

    is_deposit = rng.random(size) < DEPOSIT_SHARE
    counterparty = np.where(
        is_deposit,
        rng.choice(len(counterparties), size=size, p=_shares([c.deposit_weight for c in counterparties])),
        rng.choice(len(counterparties), size=size, p=_shares([c.withdrawal_weight for c in counterparties])),
    )
    merchant = first_merchants[counterparty] + rng.integers(merchant_counts[counterparty])
    payment = _draw_per_row(rng, np.array([PAYMENT_SHARES[name] for name in COUNTERPARTIES])[counterparty])

    # How far each amount lies from what its counterparty usually costs, in standard deviations.
    amount_surprise = rng.standard_normal(size)
    median_amount = np.array([c.median_amount for c in counterparties])[counterparty]
    amount_spread = np.array([c.amount_spread for c in counterparties])[counterparty]
    amount = np.maximum(1.0, np.round(median_amount * np.exp(amount_spread * amount_surprise)))

    business_shares = np.array([BUSINESS_SHARES[name] for name in COUNTERPARTIES])
    log_odds = (
        np.log(business_shares / (1 - business_shares))[counterparty, business_type]
        + np.array([m.lean for m in merchants])[merchant]
        + AMOUNT_LEAN * amount_surprise
        + np.array(PAYMENT_LEANS)[payment]
        + DEPOSIT_LEAN * is_deposit
    )
    is_expense = rng.random(size) < 1 / (1 + np.exp(-log_odds))

    # The accountant codes each line after the fact, almost always rightly: this column leaks the answer.
    booked_as_expense = is_expense ^ (rng.random(size) < BOOKKEEPING_ERROR_SHARE)
    expense_codes = np.array([f"EXP-{c.account_title}" for c in counterparties], dtype=object)
    bookkeeping_code = np.where(
        booked_as_expense, expense_codes[counterparty], np.where(is_deposit, "INC-RECEIPT", "PER-DRAWINGS")
    )

    written = _notes(language)
    notes = np.where(
        rng.random(size) < UNSURE_MEMO_SHARE,
        _choose(rng, written["unsure"], size),
        np.where(is_expense, _choose(rng, written["business"], size), _choose(rng, written["private"], size)),
    )
    memo = np.where(rng.random(size) < MEMO_SHARE, notes.astype(object), np.full(size, None))

    # Amounts tens of times too large, as mistyped ones are, and values the export lost. Both come
    # after the label, so they tell nothing about it.
    is_outlier = rng.random(size) < OUTLIER_SHARE
    amount[is_outlier] *= rng.uniform(20, 80, size=is_outlier.sum())
    amount[rng.random(size) < MISSING_AMOUNT_SHARE] = np.nan
    words = _categories(language)
    payment_method = _in_words(words["payment_method"], PAYMENT_METHODS)[payment]
    payment_method[rng.random(size) < MISSING_PAYMENT_SHARE] = None

    payee = np.where(
        np.array([method in KANA_PAYMENT_METHODS for method in PAYMENT_METHODS])[payment],
        np.array([m.kana for m in merchants], dtype=object)[merchant],
        np.array([m.name for m in merchants], dtype=object)[merchant],
    )
    days = np.arange(FIRST_DAY, LAST_DAY + 1).astype(str)
    transactions = pd.DataFrame(
        {
            "transaction_id": "T" + _zero_padded(np.arange(1, size + 1), 7),
            "date": days[np.sort(rng.integers(len(days), size=size))],
            "business_type": _in_words(words["business_type"], BUSINESS_TYPE_SHARES)[business_type],
            "direction": np.where(is_deposit, *_in_words(words["direction"], ("deposit", "withdrawal"))),
            "amount": amount,
            "counterparty_category": _in_words(words["counterparty_category"], COUNTERPARTIES)[counterparty],
            "payment_method": payment_method,
            "description": payee + " " + _zero_padded(rng.integers(1_000_000, size=size), 6),
            "memo": memo,
            "account_number": _zero_padded(account_numbers[account], 7),
            "currency": "JPY",
            "bookkeeping_code": bookkeeping_code,
            EXPENSES_TARGET: is_expense.astype(int),
        }
    )
    # A statement imported twice repeats lines whole, next to the originals.
    repeated = rng.choice(size, size=duplicate_count, replace=False)
    return transactions.take(np.sort(np.concatenate([np.arange(size), repeated]))).reset_index(drop=True)


def diabetes() -> pd.DataFrame:
    """scikit-learn's diabetes data: 442 patients, bundled with the library, so nothing is downloaded."""
    # Imported here: every command imports this module, and only a new regression project needs the data.
    from sklearn.datasets import load_diabetes

    patients = load_diabetes(as_frame=True, scaled=False).frame.rename(columns=DIABETES_COLUMNS)
    # The data set codes sex as 1 and 2 without saying which is which; this reading is an assumption.
    patients["sex"] = patients["sex"].map({1: "female", 2: "male"})
    patients.insert(0, "patient_id", [f"P{number:04d}" for number in range(1, len(patients) + 1)])
    return patients


def _payees(language: str) -> dict[str, tuple[Merchant, ...]]:
    """The payees of each counterparty, in the file's order. The description prints their names, which
    tell more about the answer than the counterparty alone."""
    payees: dict[str, list[Merchant]] = {}
    for row in _read_csv(MERCHANTS_FILE, language):
        merchant = Merchant(row[language], row["kana"], float(row["lean"]))
        payees.setdefault(row["counterparty"], []).append(merchant)
    return {counterparty: tuple(merchants) for counterparty, merchants in payees.items()}


def _notes(language: str) -> dict[str, tuple[str, ...]]:
    """The memos people write, by kind: business and private ones hint at the answer, unsure ones do not.
    Every language has as many of each kind, so that drawing them takes the same random numbers."""
    notes: dict[str, list[str]] = {}
    for row in _read_csv(NOTES_FILE, language):
        notes.setdefault(row["kind"], []).append(row[language])
    return {kind: tuple(written) for kind, written in notes.items()}


def _categories(language: str) -> dict[str, dict[str, str]]:
    """Each category column's values as `language` writes them, by the names this module gives them (the
    English words: the file's `en` column)."""
    categories: dict[str, dict[str, str]] = {}
    for row in _read_csv(CATEGORIES_FILE, language):
        categories.setdefault(row["column"], {})[row["en"]] = row[language]
    return categories


def _in_words(words: dict[str, str], names: Iterable[str]) -> np.ndarray:
    """The values this module calls `names` as the project's language writes them, to index by their codes."""
    return np.array([words[name] for name in names], dtype=object)


def _read_csv(path: Path, language: str) -> list[dict[str, str]]:
    """The rows of one of the example's files, which must have a column of `language`'s words."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    if language not in rows[0]:
        raise ValueError(f"{path.name} has no column for the language '{language}': add one.")
    return rows


def _shares(weights: Sequence[float]) -> np.ndarray:
    """Weights scaled to sum to one, as `Generator.choice` needs them."""
    return np.array(weights, dtype=float) / sum(weights)


def _draw_per_row(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One index per row of `shares`, drawn with that row's probabilities; `choice` takes only one row."""
    thresholds = np.cumsum(shares, axis=1)[:, :-1]
    return (rng.random(len(shares))[:, None] >= thresholds).sum(axis=1)


def _zero_padded(numbers: np.ndarray, width: int) -> pd.Series:
    """Whole numbers as text with leading zeros, the way banks print ids and account numbers."""
    return pd.Series(numbers).astype(str).str.zfill(width)


def _choose(rng: np.random.Generator, options: Sequence[str], size: int) -> np.ndarray:
    """`size` options drawn uniformly, as an object array ready to become a text column."""
    return np.array(options, dtype=object)[rng.integers(len(options), size=size)]
