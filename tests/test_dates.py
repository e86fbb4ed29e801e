"""Dates and times as caseworkers type them into the note editor and the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from casetui.domain.dates import MAX_INPUT, Direction, parse_date, parse_time, relative_age
from casetui.domain.errors import ValidationError

SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)

# Relative forms need room either side of "today"; a product running today never nears year 1 or 9999.
todays = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))

WEEKDAY_SPELLINGS = {
    0: ["monday", "mon"],
    1: ["tuesday", "tue", "tues"],
    2: ["wednesday", "wed"],
    3: ["thursday", "thu", "thur", "thurs"],
    4: ["friday", "fri"],
    5: ["saturday", "sat"],
    6: ["sunday", "sun"],
}
weekday_words = st.sampled_from(
    [(number, word) for number, words in WEEKDAY_SPELLINGS.items() for word in words]
)
casing = st.sampled_from([str.lower, str.upper, str.title])
directions: st.SearchStrategy[Direction] = st.sampled_from(["past", "future"])

# Characters no date contains and no strip() removes: controls, emoji, symbols, other scripts.
_ALIEN = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "😀", "🗓️", "€", "§", "ß", "字", "\u200b"])
garbage = st.builds(
    lambda head, alien, tail: head + alien + tail,
    st.text(max_size=15),
    _ALIEN,
    st.text(max_size=15),
)


def refusal(text: str, *, field: str = "contact date", today: date = SUNDAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_date(text, today, field=field)
    return caught.value


# -- fixed words and offsets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", SUNDAY),
        ("  TODAY ", SUNDAY),
        ("now", SUNDAY),
        ("t", SUNDAY),
        ("yesterday", date(2026, 11, 21)),
        ("Yesterday", date(2026, 11, 21)),
        ("y", date(2026, 11, 21)),
        ("tomorrow", date(2026, 11, 23)),
        ("-3d", date(2026, 11, 19)),
        ("- 3 days", date(2026, 11, 19)),
        ("-0d", SUNDAY),
        ("-3", date(2026, 11, 19)),
        ("+1w", date(2026, 11, 29)),
        ("+2 weeks", date(2026, 12, 6)),
        ("+1m", date(2026, 12, 22)),
        ("+1 month", date(2026, 12, 22)),
        ("-1y", date(2025, 11, 22)),
        ("+2 years", date(2028, 11, 22)),
    ],
)
def test_words_and_offsets(text: str, expected: date) -> None:
    assert parse_date(text, SUNDAY) == expected


def test_month_offset_from_a_long_month_lands_on_the_last_day_of_a_short_one() -> None:
    assert parse_date("+1m", date(2026, 1, 31)) == date(2026, 2, 28)
    assert parse_date("+1m", date(2028, 1, 31)) == date(2028, 2, 29)


@given(today=todays, days=st.integers(0, 9999), spelling=st.sampled_from(["d", "day", "days", ""]))
def test_minus_n_days_is_today_minus_n_days(today: date, days: int, spelling: str) -> None:
    assert parse_date(f"-{days}{spelling}", today) == today - timedelta(days=days)


@given(
    today=todays, weeks=st.integers(0, 9999), spelling=st.sampled_from(["w", "wk", "week", "weeks"])
)
def test_plus_n_weeks_is_today_plus_n_weeks(today: date, weeks: int, spelling: str) -> None:
    assert parse_date(f"+{weeks}{spelling}", today) == today + timedelta(weeks=weeks)


def test_offsets_beyond_the_calendar_are_refused_not_crashing() -> None:
    assert "out of range" in refusal("+9999y").message
    assert "out of range" in refusal("-9999y").message


def test_offsets_of_five_digits_are_refused() -> None:
    assert refusal("-12345d").field == "contact date"


# -- ISO dates -----------------------------------------------------------------------------


@given(day=st.dates())
def test_any_iso_date_round_trips(day: date) -> None:
    assert parse_date(day.isoformat(), SUNDAY) == day
    assert parse_date(f"  {day.isoformat()}\t", SUNDAY, prefer="future") == day


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "0000-01-01", "2026-00-10"])
def test_iso_shaped_but_impossible_dates_are_refused(text: str) -> None:
    assert "not a real date" in refusal(text).message


@pytest.mark.parametrize("text", ["2026-11-03T10:00", "2026-11-03 10am"])
def test_iso_date_with_a_time_is_not_read_day_first(text: str) -> None:
    try:
        parsed = parse_date(text, SUNDAY)
    except ValidationError:
        return
    assert parsed == date(2026, 11, 3)


# -- ambiguous and month-name dates --------------------------------------------------------


@pytest.mark.parametrize("text", ["03/04/2026", "3/4/26", "03.04.2026", "03-04-2026", "13/04/2026"])
def test_day_and_month_both_as_numbers_are_refused_as_ambiguous(text: str) -> None:
    error = refusal(text)
    assert "ambiguous" in error.message
    assert "YYYY-MM-DD" in error.message


@pytest.mark.parametrize("text", ["on 03/04/2026", "03/04/2026 at 10am"])
def test_ambiguous_date_with_a_word_beside_it_is_still_refused(text: str) -> None:
    refusal(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22 Nov 2026", date(2026, 11, 22)),
        ("Nov 22, 2026", date(2026, 11, 22)),
        ("3 november", date(2026, 11, 3)),
        ("november 3", date(2026, 11, 3)),
        ("1st of december", date(2026, 12, 1)),
        ("5 jan 2027", date(2027, 1, 5)),
    ],
)
def test_month_names_make_day_and_month_unambiguous(text: str, expected: date) -> None:
    assert parse_date(text, SUNDAY) == expected


def test_month_name_without_a_day_in_a_shorter_month_takes_its_last_day() -> None:
    assert parse_date("feb", date(2026, 1, 31)) == date(2026, 2, 28)


# -- weekday names -------------------------------------------------------------------------


@given(today=todays, weekday=weekday_words, case=casing)
def test_weekday_preferring_past_is_within_the_last_seven_days(
    today: date, weekday: tuple[int, str], case: Callable[[str], str]
) -> None:
    number, word = weekday
    parsed = parse_date(case(word), today, prefer="past")
    assert parsed.weekday() == number
    assert 0 <= (today - parsed).days <= 6


@given(today=todays, weekday=weekday_words, case=casing)
def test_weekday_preferring_future_is_within_the_next_seven_days(
    today: date, weekday: tuple[int, str], case: Callable[[str], str]
) -> None:
    number, word = weekday
    parsed = parse_date(case(word), today, prefer="future")
    assert parsed.weekday() == number
    assert 0 <= (parsed - today).days <= 6


@given(today=todays, weekday=weekday_words, prefer=directions)
def test_next_weekday_is_strictly_after_today(
    today: date, weekday: tuple[int, str], prefer: Direction
) -> None:
    number, word = weekday
    parsed = parse_date(f"next {word}", today, prefer=prefer)
    assert parsed.weekday() == number
    assert 1 <= (parsed - today).days <= 7


@given(today=todays, weekday=weekday_words, prefer=directions)
def test_last_weekday_is_in_the_past_week(
    today: date, weekday: tuple[int, str], prefer: Direction
) -> None:
    number, word = weekday
    parsed = parse_date(f"last {word}", today, prefer=prefer)
    assert parsed.weekday() == number
    assert 1 <= (today - parsed).days <= 7


def test_last_weekday_typed_on_that_weekday_is_a_week_ago() -> None:
    assert parse_date("last monday", MONDAY) == MONDAY - timedelta(days=7)


def test_weekday_on_that_day_is_today_either_way() -> None:
    assert parse_date("monday", MONDAY, prefer="past") == MONDAY
    assert parse_date("monday", MONDAY, prefer="future") == MONDAY
    assert parse_date("this monday", MONDAY) == MONDAY


def test_this_weekday_looks_forward_even_when_preferring_past() -> None:
    assert parse_date("this friday", SUNDAY, prefer="past") == date(2026, 11, 27)


@pytest.mark.parametrize("text", ["some monday", "monday next", "next", "last"])
def test_weekday_with_an_unknown_qualifier_is_refused(text: str) -> None:
    refusal(text)


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_is_required(text: str) -> None:
    assert refusal(text).message == "is required"


@pytest.mark.parametrize(
    "text", ["garbage", "a", "on", "utc", "noon", "2026/11/03", "20261103", "today\x00", "\x1b[2J"]
)
def test_garbage_is_refused_naming_the_field(text: str) -> None:
    error = refusal(text, field="due date")
    assert error.field == "due date"
    assert str(error).startswith("refused: due date: ")


def test_time_of_day_alone_is_not_a_date() -> None:
    refusal("5pm")


@given(text=garbage, today=todays, prefer=directions)
@example(text="😀" * 1000, today=SUNDAY, prefer="past")
@example(text="jan 99999999999999999999€", today=SUNDAY, prefer="past")
def test_garbage_raises_validation_error_naming_the_field(
    text: str, today: date, prefer: Direction
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text, today, prefer=prefer, field="contact date")
    assert caught.value.field == "contact date"


@given(text=st.text(), today=todays, prefer=directions)
@example(text="1e400 jan", today=SUNDAY, prefer="past")
@example(text="jan 99999999999999999999", today=SUNDAY, prefer="past")
@example(text="+9999m", today=date(2100, 12, 31), prefer="past")
def test_any_text_gives_a_date_or_a_validation_error(
    text: str, today: date, prefer: Direction
) -> None:
    try:
        parsed = parse_date(text, today, prefer=prefer, field="due date")
    except ValidationError as error:
        assert error.field == "due date"
    else:
        assert isinstance(parsed, date)


@given(text=st.text(min_size=MAX_INPUT + 1, max_size=5000))
def test_very_long_text_is_refused_as_too_long(text: str) -> None:
    if len(text.strip()) <= MAX_INPUT:
        return
    assert "too long" in refusal(text).message


# -- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("1430", time(14, 30)),
        ("930", time(9, 30)),
        ("9", time(9, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("2pm", time(14, 0)),
        ("2 PM", time(14, 0)),
        ("2:15pm", time(14, 15)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        (" 7am ", time(7, 0)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "24", "9:60", "0pm", "13pm", "14.30", "noon", "1:5", "123456", "2 p.m."]
)
def test_bad_times_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(text, field="contact time")
    assert caught.value.field == "contact time"


@given(moment=st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_any_24_hour_time_round_trips(moment: time) -> None:
    assert parse_time(moment.strftime("%H:%M")) == moment
    assert parse_time(moment.strftime("%H%M")) == moment


@given(moment=st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_any_12_hour_time_round_trips(moment: time) -> None:
    assert parse_time(moment.strftime("%I:%M%p")) == moment


@given(text=st.text())
@example(text="9" * 10_000)
def test_any_text_gives_a_time_or_a_validation_error(text: str) -> None:
    try:
        parsed = parse_time(text, field="contact time")
    except ValidationError as error:
        assert error.field == "contact time"
    else:
        assert isinstance(parsed, time)


# -- relative age --------------------------------------------------------------------------

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(seconds=-30), "just now"),
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1m ago"),
        (timedelta(minutes=59, seconds=59), "59m ago"),
        (timedelta(hours=1), "1h ago"),
        (timedelta(hours=23, minutes=59), "23h ago"),
        (timedelta(days=1), "1d ago"),
        (timedelta(days=3), "3d ago"),
        (timedelta(days=13, hours=23), "13d ago"),
        (timedelta(days=14), "2w ago"),
        (timedelta(days=59), "8w ago"),
        (timedelta(days=60), "2mo ago"),
        (timedelta(days=729), "24mo ago"),
        (timedelta(days=730), "2y ago"),
        (timedelta(days=3650), "10y ago"),
    ],
)
def test_relative_age(age: timedelta, expected: str) -> None:
    assert relative_age(NOW - age, NOW) == expected


def test_relative_age_of_nothing_is_never() -> None:
    assert relative_age(None, NOW) == "never"


@given(age=st.timedeltas(min_value=timedelta(days=-365), max_value=timedelta(days=365 * 200)))
def test_relative_age_is_always_short_text(age: timedelta) -> None:
    assert re.fullmatch(r"just now|[1-9]\d*(m|h|d|w|mo|y) ago", relative_age(NOW - age, NOW))


@pytest.mark.parametrize(
    ("typed", "order", "expected"),
    [
        ("7/3/1984", "dmy", date(1984, 3, 7)),
        ("7/3/1984", "mdy", date(1984, 7, 3)),
        ("1984/3/7", "ymd", date(1984, 3, 7)),
        ("07.03.84", "dmy", date(1984, 3, 7)),
        ("07-03-05", "dmy", date(2005, 3, 7)),
    ],
)
def test_numeric_dates_follow_the_organisations_order(
    typed: str, order: str, expected: date
) -> None:
    assert parse_date(typed, date(2026, 11, 22), order=order) == expected  # type: ignore[arg-type]


def test_numeric_dates_without_an_order_stay_ambiguous_and_impossible_ones_are_named() -> None:
    with pytest.raises(ValidationError, match="ambiguous"):
        parse_date("7/3/1984", date(2026, 11, 22))
    with pytest.raises(ValidationError, match="not a real date .read as MM/DD/YYYY."):
        parse_date("31/3/1984", date(2026, 11, 22), field="date of birth", order="mdy")
