"""What the capture analyser keeps of every packet and concludes, for each structure in
tests/traffic_golden.py (the kept bytes are what reaches the evidence)."""

import pytest

from tests.traffic_golden import GOLDEN, SCENARIOS, as_text, record


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_kept_bytes_summary_and_verdicts_are_what_was_read_and_checked(name):
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert as_text(record(name)) == expected, (
        "capture record changed: if deliberate, run tools/regen_golden.py and read the diff"
    )


def test_no_secret_of_any_scenario_is_kept():
    """Bodies, AUTH lines, what follows STARTTLS, padding and fragments never reach the file,
    and local parts of addresses are masked."""
    secrets = [
        "secret body",
        "private words",
        "more body",
        "dGFyby55YW1hZGFAaXNwLmV4YW1wbGUuanA=",  # the user name, base64
        "aHVudGVyMg==",  # the password, base64
        "hidden@",
        "inside tls",
        "taro.yamada@",
        "yuki@",
        "HELO padding",
        "not a header",
        "icmp-echo",
        "https",
        "0123456789",
    ]
    for name in SCENARIOS:
        kept = " ".join(k["payload"] for k in record(name)["kept"] if isinstance(k, dict))
        for secret in secrets:
            assert secret not in kept, (name, secret)
