"""Any date a notice, a person or a file gives, from the year 1 to 9999 with any offset up to
±23:59: a clear refusal or a clamped reading, never an OverflowError or another internal error,
in the notice reader, the recorded steps, the journal's queries and the letter built from them.
(A step dated 0001-01-01T00:00+14:00 used to stop every later letter.)"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import flows
from cases.store import Case, CaseError
from tests.budget import examples

BUDGET = settings(
    max_examples=examples(120),
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EDGE_YEARS = st.sampled_from(
    [1, 2, 999, 1000, 1899, 1969, 1970, 1989, 1999, 2038, 2999, 3000, 9998, 9999]
)
YEARS = st.one_of(EDGE_YEARS, st.integers(1, 9999))
OFFSETS = st.one_of(
    st.sampled_from([-(23 * 60 + 59), -12 * 60, 0, 9 * 60, 14 * 60, 23 * 60 + 59]),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)


def _offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _rfc_offset(minutes: int) -> str:
    return _offset(minutes).replace(":", "")


FIRST = (1, 1, 1, 0, 0, 14 * 60)  # 0001-01-01T00:00+14:00: the year 0 in UTC
LAST = (9999, 12, 31, 23, 59, -(23 * 60 + 59))  # the year 10000 in UTC
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@st.composite
def moments(draw) -> tuple[int, int, int, int, int, int]:
    year = draw(YEARS)
    month = draw(st.integers(1, 12))
    day = draw(st.sampled_from([1, 28, 31 if month in (1, 3, 5, 7, 8, 10, 12) else 28]))
    hour = draw(st.sampled_from([0, 23]))
    minute = draw(st.sampled_from([0, 59]))
    return year, month, day, hour, minute, draw(OFFSETS)


def _mail(year, month, day, hour, minute, offset) -> bytes:
    date = (
        f"Mon, {day} {MONTHS[month - 1]} {year:04d} {hour:02d}:{minute:02d}:00"
        f" {_rfc_offset(offset)}"
    )
    iso = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{_offset(offset)}"
    return (
        "From: abuse@isp.example\nTo: user@isp.example\nSubject: Spam from your line\n"
        f"Date: {date}\n\nWe received spam sent from 203.0.113.7 at {iso} and on"
        f" {year}年{month}月{day}日 {hour}時{minute}分 (JST).\n\n"
        f"Received: from bot (unknown [203.0.113.7]) by mx.example; {date}\n"
    ).encode()


@BUDGET
@given(moments())
@example(FIRST)
@example(LAST)
def test_a_notice_with_any_date_is_read_and_lettered_without_an_internal_error(
    tmp_path_factory, moment
):
    case = Case(tmp_path_factory.mktemp("case"))
    outcome = flows.read_notice(case, _mail(*moment), public_ip="203.0.113.7")
    assert outcome is not None
    flows.letter(case, "en")
    flows.letter(case, "ja")


@BUDGET
@given(moments())
@example(FIRST)
@example(LAST)
def test_a_step_date_is_recorded_only_between_2000_and_today_and_the_letter_always_renders(
    tmp_path_factory, moment
):
    year, month, day, hour, minute, offset = moment
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{_offset(offset)}"
    case = Case(tmp_path_factory.mktemp("case"))
    try:
        flows.record_details(case, {}, done=[f"scan={text}"])
    except CaseError as exc:
        assert "between 2000 and today" in str(exc) or "future" in str(exc), exc
    else:
        when = datetime.fromisoformat(text)
        assert 2000 <= when.year and when <= datetime.now(UTC)
    flows.letter(case, "en")
    flows.letter(case, "ja")


@BUDGET
@given(moments())
@example(FIRST)
@example(LAST)
def test_a_stored_step_date_from_anywhere_never_stops_the_letter(tmp_path_factory, moment):
    """A remediation file edited by hand or written by an older version."""
    year, month, day, hour, minute, offset = moment
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{_offset(offset)}"
    case = Case(tmp_path_factory.mktemp("case"))
    case.write_json("remediation.json", {"scan": text, "password": f"{year:04d}-{month:02d}-01"})
    flows.letter(case, "en")
    flows.letter(case, "ja")


@BUDGET
@given(moments(), moments())
@example(FIRST, LAST)
@example(LAST, FIRST)
@example(FIRST, FIRST)
def test_a_journal_query_of_any_range_is_refused_or_answered(tmp_path_factory, capsys, a, b):
    from cli import journal as cli
    from journal.store import Journal

    folder = tmp_path_factory.mktemp("j")
    db = folder / "journal.sqlite3"
    Journal(db).close()
    texts = []
    for year, month, day, hour, minute, offset in (a, b):
        texts.append(f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{_offset(offset)}")
    for command in (cli.cmd_show, cli.cmd_export):
        args = argparse.Namespace(
            db=str(db), start=texts[0], end=texts[1], json=True, lang="en", case=str(folder / "c")
        )
        code = command(args)
        out = capsys.readouterr()
        assert code in (0, 3), out
        if code == 3:
            assert out.err.strip() and "Traceback" not in out.err


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-23:59", "1999-12-31", "0001-01-01"]
)
def test_the_dates_from_the_report_are_refused_with_words(tmp_path, when):
    case = Case(tmp_path / "case")
    with pytest.raises(CaseError, match=r"between 2000 and today|in the future"):
        flows.record_details(case, {}, done=[f"scan={when}"])
    with pytest.raises(CaseError, match=r"between 2000 and today|in the future"):
        with case.update() as u:
            u.mark_done("scan", when)
    flows.letter(case, "en")


def test_offsets_beyond_a_day_are_not_dates(tmp_path):
    case = Case(tmp_path / "case")
    with pytest.raises(CaseError):
        flows.record_details(case, {}, done=["scan=2026-01-01T00:00+24:00"])
    assert timezone(timedelta(hours=14))  # the widest real offset is accepted
