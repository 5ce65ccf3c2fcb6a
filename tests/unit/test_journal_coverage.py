"""Coverage from heartbeats: running between two records of one run at most MAX_GAP apart,
a gap wherever it was silent longer, and never "running" for a moment no record vouches for."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal import coverage as C
from journal.store import CONNECT, HEARTBEAT, START, STOP, Record

MIN = 60_000_000
T0 = 1_763_700_000_000_000


def rec(seq, ts, kind=HEARTBEAT, run=1, **data):
    return Record(seq, ts, kind, run, data, b"", b"")


def run_of(start, minutes, run, mode="capture", stop=True):
    out = [rec(run, start, START, run, mode=mode)]
    out += [rec(run + i, start + i * MIN, HEARTBEAT, run, mode=mode) for i in range(1, minutes + 1)]
    if stop:
        out.append(rec(run + minutes + 1, start + minutes * MIN + 1, STOP, run))
    return out


def test_one_run_covers_its_whole_span():
    records = run_of(T0, 30, run=1)
    cov = C.coverage(records, T0 + 5 * MIN, T0 + 20 * MIN)
    assert cov.complete and cov.full_capture and cov.gaps == []


def test_a_killed_recorder_and_a_restart_leave_a_gap_between_them():
    killed = run_of(T0, 10, run=1, stop=False)  # no stop record: kill -9 after minute 10
    restarted = run_of(T0 + 25 * MIN, 10, run=100)
    cov = C.coverage(killed + restarted, T0, T0 + 35 * MIN)
    assert not cov.complete
    assert cov.gaps == [(T0 + 10 * MIN, T0 + 25 * MIN)]


def test_a_silence_within_one_run_is_a_gap():
    records = run_of(T0, 5, run=1, stop=False)
    records += [rec(50 + i, T0 + (20 + i) * MIN, HEARTBEAT, 1, mode="capture") for i in range(5)]
    cov = C.coverage(records, T0, T0 + 24 * MIN)
    assert cov.gaps == [(T0 + 5 * MIN, T0 + 20 * MIN)]


def test_polling_is_partial_coverage():
    cov = C.coverage(run_of(T0, 30, 1, mode="poll"), T0 + MIN, T0 + 2 * MIN)
    assert cov.complete and not cov.full_capture and cov.modes == ["poll"]


def test_nothing_recorded_is_no_coverage_at_all():
    cov = C.coverage([], T0, T0 + MIN)
    assert not cov.complete and cov.gaps == [(T0, T0 + MIN)]


def test_events_do_not_extend_a_run_past_its_stop():
    records = run_of(T0, 5, run=1)
    records.append(rec(99, T0 + 6 * MIN, CONNECT, 1, rport=25))  # a record of another writer?
    cov = C.coverage(records, T0, T0 + 10 * MIN)
    assert cov.gaps[0][0] == T0 + 5 * MIN + 1


@given(st.lists(st.integers(0, 200), min_size=1, max_size=60, unique=True), st.integers(0, 200))
def test_every_moment_called_covered_lies_between_two_close_records(minutes, probe):
    times = sorted(minutes)
    records = [rec(1, T0 + times[0] * MIN, START, 1, mode="capture")]
    records += [rec(i + 2, T0 + t * MIN, HEARTBEAT, 1) for i, t in enumerate(times[1:])]
    at = T0 + probe * MIN
    cov = C.coverage(records, at, at)
    if cov.complete:
        before = max(t for t in times if T0 + t * MIN <= at)
        after = min(t for t in times if T0 + t * MIN >= at)
        assert (after - before) * MIN <= C.MAX_GAP_S * 1_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-18T21:12:00+09:00", datetime(2026, 11, 18, 12, 12, tzinfo=UTC)),
        ("2026-11-18T12:12:00Z", datetime(2026, 11, 18, 12, 12, tzinfo=UTC)),
        ("2026-11-18 21:12", datetime(2026, 11, 18, 12, 12, tzinfo=UTC)),
        ("2026/11/18 21:12", datetime(2026, 11, 18, 12, 12, tzinfo=UTC)),
        ("2026年11月18日 21時12分", datetime(2026, 11, 18, 12, 12, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_iso_or_local_time(text, expected):
    jst = timezone(timedelta(hours=9))
    assert C.parse_time(text, jst) == expected


def test_a_time_that_is_not_one_says_how_to_write_it():
    with pytest.raises(ValueError, match="2026-11-18"):
        C.parse_time("last tuesday", UTC)
