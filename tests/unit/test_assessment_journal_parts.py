"""The assessment's reading of a journal range: which programs on port 25 are this PC's own
mail servers (never sightings), why an unverified journal may not be cited, and the
helpers that read times and numbers from outside documents. Exact answers (mutation found these
parts untested)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cases import assessment as A

POSTFIX = {"name": "master", "exe": "/usr/lib/postfix/sbin/master", "kind": "mail_server"}


def connect(program, rport=25, kind="connect"):
    return {"kind": kind, "rport": rport, "program": program}


def test_only_a_believed_mail_server_on_port_25_is_named_a_mail_server():
    events = [
        connect(POSTFIX),
        connect({**POSTFIX, "name": "exim4"}),
        connect(POSTFIX),  # once
        connect({**POSTFIX, "name": "qmail"}, rport=587),  # another port: not this list
        connect({**POSTFIX, "name": "sendmail"}, kind="mx"),  # a lookup, not a connection
        connect({"name": "svchost.exe", "kind": "other"}),  # not a mail server: a sighting
        connect({**POSTFIX, "name": "odd", "location": ["hidden folder"]}),  # in an odd place
        connect({**POSTFIX, "name": "swapped", "exe_verified": False}),  # not the file it says
        connect({**POSTFIX, "name": ""}),  # no name: left out
        connect(None),
        {"kind": "connect", "rport": "25", "program": POSTFIX | {"name": "text-port"}},
    ]
    assert A._mail_servers(events) == ["exim4", "master"]


@pytest.mark.parametrize(
    ("checked", "proof", "why"),
    [
        (None, {}, "the records do not follow one another"),
        ({}, {}, "the records do not follow one another"),
        ({"chain": {"ok": False, "detail": "record 7 was changed"}}, {}, "record 7 was changed"),
        ({"chain": {"ok": False, "problem": "removed"}}, {}, "removed"),
        ({"chain": {"ok": True}, "heads": {"ok": False, "detail": "head moved"}}, {}, "head moved"),
        ({"chain": {"ok": False}}, {}, ""),
        (
            {"chain": "not a dict", "segment_intact": False},
            {},
            "the records do not follow one another",
        ),
        (
            {"chain": {"ok": True}, "heads": {"ok": True}, "segment_intact": True},
            {},
            "the records could not be tied to the heads written when they were made",
        ),
    ],
)
def test_why_a_journal_may_not_be_cited(checked, proof, why):
    assert A.journal_problem(checked, proof) == why


def test_times_from_outside_are_read_or_refused_never_guessed():
    assert A._dt(None) is None and A._dt("") is None and A._dt(5) is None
    assert A._dt("not a time") is None
    zoned = A._dt("2026-11-20T14:05:00+09:00")
    assert zoned == datetime(2026, 11, 20, 5, 5, tzinfo=UTC)
    assert zoned.utcoffset() == timedelta(hours=9)
    naive = A._dt("2026-11-20T05:05:00")
    assert naive.tzinfo is UTC  # a time without a zone is read as UTC, never left naive


def test_numbers_from_outside_are_integers_not_booleans_or_text():
    assert A._int(25) == 25
    assert A._int(True) is None and A._int("25") is None and A._int(None) is None


def test_the_machine_readable_form_keeps_times_in_the_zone_it_is_given():
    jst = timezone(timedelta(hours=9))
    moment = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)
    o = A.Observation("watch", A.THIS_PC, moment, moment + timedelta(minutes=15), True)
    in_jst = A._observation_dict(o, lambda v: v.astimezone(jst).isoformat() if v else None)
    assert in_jst == {
        "source": "watch",
        "where": A.THIS_PC,
        "from": "2026-11-21T14:00:00+09:00",
        "to": "2026-11-21T14:15:00+09:00",
        "minutes": 15.0,
        "clean": True,
    }
    assert A._observation_dict(None, str) is None


def test_without_a_zone_the_machine_readable_times_keep_their_own_offset(tmp_path):
    import os
    import time

    from tests.cases import JST, build

    case = build("infected", tmp_path)
    a = A.assess(case, JST)
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"  # a local zone that is neither UTC nor Japan's
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        as_given = a.to_dict(None)
        in_jst = a.to_dict(JST)
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        if hasattr(time, "tzset"):
            time.tzset()
    first = as_given["sightings"][0]["first_seen"]
    assert first.endswith("+00:00")  # as recorded, not moved into the PC's own zone
    assert in_jst["sightings"][0]["first_seen"].endswith("+09:00")
    assert datetime.fromisoformat(first) == datetime.fromisoformat(
        in_jst["sightings"][0]["first_seen"]
    )


T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


def iso(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def journal_doc(**changes):
    doc = {
        "window": {"from": iso(0), "to": iso(60)},
        "reported": {"from": iso(10), "to": iso(20)},
        "poll_interval_s": 0.25,
        "coverage": {
            "complete": True,
            "running": [{"from": iso(0), "to": iso(60), "mode": "capture"}],
            "gaps": [],
        },
        "events": [
            connect(POSTFIX) | {"time": iso(5)},
            {"kind": "connect", "rport": 587, "program": {"name": "thunderbird"}},
            {"kind": "mx", "program": {"name": "x"}},
        ],
        "proof": {"segment_intact": True, "segment_head": {"hash": "ab" * 32}},
        "verification": {"trusted": True},
    }
    doc.update(changes)
    return doc


def test_a_verified_journal_is_read_whole():
    view = A._journal(journal_doc())
    assert view.intact and view.problem == ""
    assert view.complete and view.full_capture and view.poll_interval_s == 0.25
    assert view.reported == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=20))
    assert view.running == ((T0, T0 + timedelta(minutes=60), "capture"),)
    assert view.port25 == () and view.mail_servers == ("master",)
    assert (view.other_mail, view.mx, view.head) == (2, 1, "ab" * 32)


def test_a_journal_that_does_not_verify_is_cited_for_nothing():
    doc = journal_doc(verification={"trusted": False, "chain": {"ok": False, "detail": "gone"}})
    view = A._journal(doc)
    assert not view.intact and view.problem == "gone"
    assert view.running == () and view.gaps == ((T0, T0 + timedelta(minutes=60)),)
    assert not view.complete and not view.full_capture
    assert (view.other_mail, view.mx, view.head, view.mail_servers) == (0, 0, "", ())
    # Without the verifier's own answer the proof in the file decides, and its words say why.
    unverified = journal_doc(proof={"segment_intact": False})
    del unverified["verification"]
    assert A._journal(unverified).problem == "the records do not follow one another"


@pytest.mark.parametrize(
    "changes",
    [
        {"window": {"from": iso(0)}},
        {"window": {"to": iso(60)}},
        {"window": "not a window"},
    ],
)
def test_a_journal_without_its_window_is_not_read(changes):
    assert A._journal(journal_doc(**changes)) is None


def test_coverage_with_a_gap_or_by_polling_is_not_every_attempt():
    polled = journal_doc(
        coverage={"complete": True, "running": [{"from": iso(0), "to": iso(60), "mode": "poll"}]}
    )
    view = A._journal(polled)
    assert view.complete and not view.full_capture
    gap = journal_doc(
        coverage={
            "complete": True,
            "running": [{"from": iso(0), "to": iso(30), "mode": "capture"}],
            "gaps": [{"from": iso(30), "to": iso(60)}],
        }
    )
    assert not A._journal(gap).complete
    none_running = journal_doc(coverage={"complete": True, "running": []})
    assert not A._journal(none_running).complete
    half = journal_doc(reported={"from": iso(10)})
    assert A._journal(half).reported is None
    assert A._journal(journal_doc(poll_interval_s="x")).poll_interval_s is None


def test_the_line_facts_reach_the_assessment():
    from checks.model import Result, Status

    latest = {
        "NET-NAT": Result("NET-NAT", Status.WARN, "cgnat", {}, (), {"cgnat": True}),
        "NET-BLOCKLIST": Result("NET-BLOCKLIST", Status.FAIL, "listed", {}),
        "CLOCK-SYNC": Result("CLOCK-SYNC", Status.PASS, "synchronised", {}),
    }
    a = A.build(
        latest=latest,
        history=list(latest.values()),
        remediation={},
        notice=None,
        details={},
        zone=UTC,
    )
    assert a.cgnat and a.blocklisted and a.clock is latest["CLOCK-SYNC"]
    assert not a.other_devices_checked
    quiet = A.build(
        latest={"NET-BLOCKLIST": Result("NET-BLOCKLIST", Status.PASS, "not_listed", {})},
        history=[],
        remediation={},
        notice=None,
        details={},
        zone=UTC,
    )
    assert not quiet.cgnat and not quiet.blocklisted and quiet.clock is None
