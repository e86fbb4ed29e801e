"""Repeating follow-up tasks: when the next one falls due after one is completed."""

from __future__ import annotations

import calendar
import time
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from casetui.domain.enums import Repeats
from casetui.domain.errors import ValidationError
from casetui.domain.recurrence import RRULE_MAX, next_due, validate_rrule

SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
due_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def refusal(rule: str, start: date = SUNDAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_rrule(rule, start)
    return caught.value


# -- the fixed choices ---------------------------------------------------------------------


@given(due=due_dates)
def test_a_task_that_does_not_repeat_has_no_next(due: date) -> None:
    assert next_due(Repeats.NONE, due) is None


@pytest.mark.parametrize(
    ("repeats", "days"), [(Repeats.DAILY, 1), (Repeats.WEEKLY, 7), (Repeats.FORTNIGHTLY, 14)]
)
@given(due=due_dates)
def test_daily_weekly_fortnightly_add_fixed_days(repeats: Repeats, days: int, due: date) -> None:
    assert next_due(repeats, due) == due + timedelta(days=days)


@given(due=due_dates)
def test_monthly_is_the_same_day_next_month_or_that_months_last_day(due: date) -> None:
    year, month = (due.year + 1, 1) if due.month == 12 else (due.year, due.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    assert next_due(Repeats.MONTHLY, due) == date(year, month, min(due.day, last_day))


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 11, 22), date(2026, 12, 22)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 1, 28), date(2026, 2, 28)),
        (date(2026, 1, 29), date(2026, 2, 28)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_monthly_from_late_in_the_month(due: date, expected: date) -> None:
    assert next_due(Repeats.MONTHLY, due) == expected


def test_monthly_from_the_31st_stays_on_the_28th_after_february() -> None:
    # Observed: only the current due date is known, so once February has moved a task to
    # the 28th it repeats on the 28th; it does not return to the end of the month.
    due = date(2026, 1, 31)
    series = []
    for _ in range(4):
        following = next_due(Repeats.MONTHLY, due)
        assert following is not None
        series.append(due := following)
    assert series == [date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28), date(2026, 5, 28)]


# -- custom RRULEs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (SUNDAY, MONDAY),
        (MONDAY, date(2026, 11, 26)),  # Thursday
        (date(2026, 11, 25), date(2026, 11, 26)),  # Wednesday to Thursday
        (date(2026, 11, 26), date(2026, 11, 30)),  # Thursday to Monday
    ],
)
def test_custom_weekly_on_mondays_and_thursdays(due: date, expected: date) -> None:
    assert next_due(Repeats.CUSTOM, due, "FREQ=WEEKLY;BYDAY=MO,TH") == expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (SUNDAY, date(2026, 12, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_custom_first_of_every_month(due: date, expected: date) -> None:
    assert next_due(Repeats.CUSTOM, due, "FREQ=MONTHLY;BYMONTHDAY=1") == expected


def test_custom_rule_with_its_rrule_prefix() -> None:
    assert next_due(Repeats.CUSTOM, SUNDAY, "RRULE:FREQ=WEEKLY;BYDAY=MO,TH") == MONDAY


def test_a_count_that_has_run_out_ends_the_series() -> None:
    assert next_due(Repeats.CUSTOM, SUNDAY, "FREQ=DAILY;COUNT=1") is None
    assert next_due(Repeats.CUSTOM, SUNDAY, "FREQ=DAILY;COUNT=2") == MONDAY


def test_an_until_that_has_passed_ends_the_series() -> None:
    assert next_due(Repeats.CUSTOM, SUNDAY, "FREQ=DAILY;UNTIL=20261123") == MONDAY
    assert next_due(Repeats.CUSTOM, MONDAY, "FREQ=DAILY;UNTIL=20261123") is None


def test_custom_without_a_rule_does_not_repeat() -> None:
    assert next_due(Repeats.CUSTOM, SUNDAY, None) is None
    assert next_due(Repeats.CUSTOM, SUNDAY, "") is None


@given(due=due_dates)
def test_custom_rules_agree_with_the_fixed_choices(due: date) -> None:
    assert next_due(Repeats.CUSTOM, due, "FREQ=DAILY") == next_due(Repeats.DAILY, due)
    assert next_due(Repeats.CUSTOM, due, "FREQ=WEEKLY") == next_due(Repeats.WEEKLY, due)
    assert next_due(Repeats.CUSTOM, due, "FREQ=WEEKLY;INTERVAL=2") == next_due(
        Repeats.FORTNIGHTLY, due
    )


_day_rules = st.builds(
    lambda freq, interval, days: (
        f"FREQ={freq};INTERVAL={interval}" + (f";BYDAY={','.join(days)}" if days else "")
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 4),
    st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), unique=True),
)


@given(due=due_dates, rule=_day_rules)
def test_next_due_of_a_whole_day_rule_is_after_the_due_date(due: date, rule: str) -> None:
    following = next_due(Repeats.CUSTOM, due, validate_rrule(rule, due))
    assert following is not None
    assert following > due


# -- validating RRULEs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("  rrule:freq=weekly;byday=mo  ", "FREQ=WEEKLY;BYDAY=MO"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("FREQ=DAILY;COUNT=3", "FREQ=DAILY;UNTIL=20261124"),  # COUNT anchored as UNTIL
        ("FREQ=DAILY;UNTIL=20270101", "FREQ=DAILY;UNTIL=20270101"),
    ],
)
def test_validate_rrule_keeps_a_tidied_rule(typed: str, kept: str) -> None:
    assert validate_rrule(typed, SUNDAY) == kept


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "   ",
        "RRULE:",
        "garbage",
        "every monday",
        "FREQ=",
        "FREQ=FORTNIGHTLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;COUNT=x",
        "FREQ=DAILY;;",
        "FREQ=DAILY;BYSETPOS=0",
        "=",
        "EXDATE:x",
    ],
)
def test_validate_rrule_refuses_garbage_naming_repeats(rule: str) -> None:
    error = refusal(rule)
    assert error.field == "repeats"
    assert str(error).startswith("refused: repeats: ")


def test_validate_rrule_refuses_overlong_rules() -> None:
    rule = "FREQ=WEEKLY;BYDAY=" + ",".join(["MO"] * RRULE_MAX)
    assert f"longer than {RRULE_MAX}" in refusal(rule).message


_RRULE_KEYS = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH"]
_RRULE_KEYS += ["BYSETPOS", "BYWEEKNO", "BYYEARDAY", "BYHOUR", "BYMINUTE", "WKST", "BYEASTER"]
_RRULE_KEYS += ["DTSTART", "X"]
_RRULE_VALUES = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "MO", "TH,FR", "-1MO", "+2TU"]
_RRULE_VALUES += ["0", "1", "-1", "366", "20261231", "20261231T000000Z", "1,2,3", "MO,", ",", "1.5"]
_RRULE_VALUES += ["2200000000", "99999999999999999999"]
# Escapes from dateutil that validate_rrule lets through today, held by the xfail test
# test_validate_rrule_refuses_what_dateutil_chokes_on; empty this once that passes.
KNOWN_ESCAPES: tuple[type[Exception], ...] = ()
_rule_parts = st.builds(
    lambda key, sep, value: f"{key}{sep}{value}",
    st.sampled_from(_RRULE_KEYS),
    st.sampled_from(["=", ":", ""]),
    st.sampled_from(_RRULE_VALUES) | st.text(max_size=8),
)
_rrule_like = st.lists(_rule_parts, max_size=5).map(";".join)
_prefixes = st.sampled_from(["", "RRULE:", "rrule:", "EXRULE:", "EXDATE:", "RDATE:", "\n"])


# No deadline: some rules take dateutil a while by nature (the INTERVAL example below takes
# 60-150 ms alone), and past Hypothesis's 200 ms when the suite runs in parallel on two
# cores. What this checks is what is raised, not how fast.
@settings(deadline=None)
@given(
    rule=st.tuples(_prefixes, _rrule_like | st.text(max_size=80)).map("".join),
    start=due_dates,
)
@example(rule="\x00", start=SUNDAY)
@example(rule="😀" * 600, start=SUNDAY)
@example(rule="FREQ=DAILY;INTERVAL=99999999999999999999", start=SUNDAY)
def test_validate_rrule_raises_nothing_but_validation_error(rule: str, start: date) -> None:
    try:
        kept = validate_rrule(rule, start)
    except ValidationError as error:
        assert error.field == "repeats"
    except KNOWN_ESCAPES:
        pass
    else:
        assert isinstance(kept, str)


# -- known faults --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule", ["UNTIL=99999999999999999999", "EXDATE:2200000000", "DTSTART:1", "DTSTART:-1"]
)
def test_validate_rrule_refuses_what_dateutil_chokes_on(rule: str) -> None:
    refusal(rule)


def test_validate_rrule_refuses_interval_zero() -> None:
    refusal("FREQ=DAILY;INTERVAL=0")


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=DAILY;BYHOUR=9", "FREQ=MINUTELY"])
def test_next_due_of_an_accepted_rule_is_after_the_due_date(rule: str) -> None:
    try:
        kept = validate_rrule(rule, SUNDAY)
    except ValidationError:
        return
    following = next_due(Repeats.CUSTOM, SUNDAY, kept)
    assert following is None or following > SUNDAY


def test_a_rule_that_passes_validation_can_be_evaluated() -> None:
    try:
        kept = validate_rrule("FREQ=MINUTELY;BYHOUR=25", SUNDAY)
    except ValidationError:
        return
    next_due(Repeats.CUSTOM, SUNDAY, kept)


@pytest.mark.parametrize(
    "rule", ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTHDAY=99"]
)
def test_validate_rrule_refuses_a_rule_that_never_occurs(rule: str) -> None:
    refusal(rule)


def test_count_limits_the_whole_series() -> None:
    rule = validate_rrule("FREQ=DAILY;COUNT=3", SUNDAY)
    first = SUNDAY
    second = next_due(Repeats.CUSTOM, first, rule)
    assert second == MONDAY
    third = next_due(Repeats.CUSTOM, second, rule)
    assert third == date(2026, 11, 24)
    assert next_due(Repeats.CUSTOM, third, rule) is None


def test_a_count_running_past_ten_years_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="past ten years"):
        validate_rrule("FREQ=DAILY;COUNT=2200000000", date(2026, 12, 7))
    assert time.perf_counter() - started < 1.0  # it walked day by day to the year 9999 before
    assert (
        validate_rrule("FREQ=MONTHLY;COUNT=12", date(2026, 12, 7)) == "FREQ=MONTHLY;UNTIL=20271107"
    )


def test_days_no_month_has_are_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="no date in the next ten years"):
        validate_rrule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", date(2026, 12, 7))
    assert time.perf_counter() - started < 1.0  # dateutil searched every year to 9999 before
    leap_day = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
    assert validate_rrule(leap_day, date(2026, 12, 7)) == leap_day
