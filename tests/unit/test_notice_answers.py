"""The whole of what `notice` records for each input we hold (notice.json is evidence an abuse
desk reads), and the exact answers of the small readers it is built from."""

from datetime import UTC

import pytest

from checks import notice
from tests.notice_golden import GOLDEN, INPUTS, as_text, golden_name, record


@pytest.mark.parametrize(("path", "public_ip"), INPUTS, ids=lambda v: str(v))
def test_the_recorded_analysis_is_what_was_read_and_checked(path, public_ip):
    expected = (GOLDEN / golden_name(path, public_ip)).read_text(encoding="utf-8")
    assert as_text(record(path, public_ip)) == expected, (
        "notice.json changed: if deliberate, run tools/regen_golden.py and read the diff"
    )


def claim(text: str) -> dict:
    return notice.extract_claim(text, UTC)


@pytest.mark.parametrize(
    ("text", "destinations"),
    [
        ("See http://tools.ietf.org/html/rfc5965.", []),  # "to" inside a word is not "to"
        ("Spam was sent to mx.recipient.example from your line.", ["mx.recipient.example"]),
        ("宛先：mx.recipient.example", ["mx.recipient.example"]),
        ("Destination: 198.51.100.7", ["198.51.100.7"]),
        ("recipient server mx1.example.net", ["mx1.example.net"]),
        ("送信元：203.0.113.45 宛先：203.0.113.45", []),  # the source is not a destination
    ],
)
def test_destinations_are_read_only_after_a_destination_word(text, destinations):
    assert claim(text)["destinations"] == destinations
