"""The evidence readers every decider shares (checks/evidence.py): stored values read as what they
are or as nothing, a listening result with no items still a sighting, and the watches and
captures of a history in time order across the modules that made them. Written after mutation
testing (docs/mutation.md): these survived every older test."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from checks import evidence
from checks.evidence import LISTENING, THIS_PC, Observation, Sighting, as_int, as_time
from checks.model import Result, Status

JST = timezone(timedelta(hours=9))
T = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("2026-11-20T05:00:00+00:00", T),
        # A time with its zone keeps it: read in UTC it would move nine hours.
        ("2026-11-20T14:00:00+09:00", datetime(2026, 11, 20, 14, 0, tzinfo=JST)),
        # A stored time without a zone was written in UTC.
        ("2026-11-20T05:00:00", T),
        ("", None),
        ("yesterday", None),
        # Not text at all (a damaged case file): nothing, never a crash.
        (1732078800, None),
        (None, None),
    ],
)
def test_as_time(value, read):
    got = as_time(value)
    assert got == read and (got is None or got.utcoffset() == read.utcoffset())


@pytest.mark.parametrize(
    ("value", "read"), [(5, 5), (0, 0), (True, None), ("5", None), (5.0, None), (None, None)]
)
def test_as_int_reads_only_whole_numbers_never_a_flag_or_text(value, read):
    assert as_int(value) == read and type(as_int(value)) is type(read)


def test_a_listening_result_without_items_is_still_its_own_sighting():
    result = Result("SMTP-LISTEN", Status.WARN, "mail_server_exposed", {}, started_at=T)
    assert evidence.listening(result, []) == [
        Sighting(
            "SMTP-LISTEN", Status.WARN, "mail_server_exposed", THIS_PC, seen_at=T, kind=LISTENING
        )
    ]


def _watch(start: datetime) -> Result:
    window = {
        "mode": "watch",
        "from": start.isoformat(),
        "to": (start + timedelta(minutes=15)).isoformat(),
        "complete": True,
    }
    return Result("SMTP-OUT", Status.PASS, "none_watched", {}, facts={"window": window})


def _capture(start: datetime) -> Result:
    params = {
        "attributed": True,
        "started": start.isoformat(),
        "ended": (start + timedelta(minutes=5)).isoformat(),
    }
    return Result("TRAFFIC-SMTP", Status.PASS, "no_mail", params)


def test_watches_and_captures_come_in_time_order_from_every_module():
    later, earlier, first = T + timedelta(hours=2), T + timedelta(hours=1), T
    history = [
        _watch(later),
        Result("NOT-A-CHECK-ANY-MORE", Status.PASS, "x", {}),  # an old ID: skipped, no crash
        Result("AV-STATUS", Status.PASS, "on", {}),  # not a mail check: no observation
        _capture(earlier),
        _watch(first),
    ]
    seen = evidence.observations_of(history)
    assert [(o.source, o.start) for o in seen] == [
        ("watch", first),
        ("capture", earlier),
        ("watch", later),
    ]
    assert all(isinstance(o, Observation) and o.clean for o in seen)
