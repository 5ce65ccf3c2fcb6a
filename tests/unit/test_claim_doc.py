"""The notice's claim as a typed document: every claim the reader wrote for the notices,
samples and reports we hold reads back to the same document, and nothing a file can hold
makes reading it fail."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.claim_doc import Claim, ClaimedTime
from tests.notice_golden import GOLDEN

CLAIMS = [
    (path.name, json.loads(path.read_text(encoding="utf-8"))["analysis"]["claim"])
    for path in sorted(GOLDEN.glob("*.json"))
]


@pytest.mark.parametrize(("name", "claim"), CLAIMS, ids=[n for n, _ in CLAIMS])
def test_every_claim_we_hold_reads_back_to_the_same_document(name, claim):
    typed = Claim.from_dict(claim)
    assert typed.to_dict() == claim
    assert [t.utc for t in typed.times] == [t["utc"] for t in claim["times"]]


def test_the_claims_held_cover_ranges_arf_reports_and_sample_dates():
    typed = [Claim.from_dict(c) for _, c in CLAIMS]
    assert any(t.end_utc for c in typed for t in c.times)
    assert any(c.feedback_report for c in typed)
    assert any(t.source for c in typed for t in c.times)
    assert any(c.extra for c in typed)  # keys added after the reader (entry_time_utc)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "times",
        "ips",
        "source_ips",
        "source_ports",
        "message_counts",
        "reference",
        "provider",
        "feedback_report",
        "count_approximate",
        "other",
    ]
)


@given(st.dictionaries(KEYS, JSON) | JSON)
def test_anything_in_the_file_reads_without_failing(value):
    claim = Claim.from_dict(value)
    assert all(isinstance(p, int) for p in claim.source_ports)
    assert all(isinstance(ip, str) for ip in claim.source_ips)
    assert claim.count is None or isinstance(claim.count, int)
    for t in claim.times:
        assert t.start is None or t.start.tzinfo is not None
    Claim.from_dict(claim.to_dict())  # and what it writes reads again


def test_a_time_without_a_readable_instant_has_none():
    t = ClaimedTime.from_dict({"utc": "yesterday", "notice_local": "2026-11-20T09:00:00"})
    assert t.start is None and t.start_as_notice is None
