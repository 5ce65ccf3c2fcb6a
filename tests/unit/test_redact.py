from hypothesis import given
from hypothesis import strategies as st

from checks.redact import MASK, redact_cmdline


def test_masks_flag_values_assignments_and_url_passwords():
    argv = ["x", "--pass", "a1", "--auth-token=zz9", "-p", "8080", "imaps://u:pw@h", "PASSWORD=q"]
    assert redact_cmdline(argv) == [
        "x",
        "--pass",
        MASK,
        "--auth-token=" + MASK,
        "-p",
        "8080",
        "imaps://u:***@h",
        "PASSWORD=" + MASK,
    ]


@given(st.lists(st.text(max_size=30), max_size=8), st.text(min_size=6, alphabet="abcdef0123456789"))
def test_a_secret_after_a_password_flag_never_survives(prefix, secret):
    out = redact_cmdline([*prefix, "--password", secret])
    assert out[-1] == MASK
    assert len(out) == len(prefix) + 2
