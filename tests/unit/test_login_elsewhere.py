"""A login from another address is said not to have come through this line only when the line's
address rules it out. The account letter said "not through this line" whenever the login line
showed an address, also when the line's address was not known, was shared (CGNAT), or was a
dynamic neighbour of the login's: that address may have been the line's at the time."""

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import suspects as S
from cases.assessment import assess
from checks import line_identity as L
from tests.cases import JST

SAMPLE = Path(__file__).resolve().parents[1] / "data/notices/account_misuse.eml"
LOGIN = "185.220.101.47"  # the login line's client in the sample

v4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
v6 = st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)))
sources = st.sampled_from([L.GIVEN, L.NOTICE, L.THIS_PC, L.ROUTER, L.OBSERVED])


@st.composite
def lines(draw):
    found = draw(st.lists(st.tuples(st.one_of(v4, v6), sources), max_size=3))
    addresses = tuple(L.LineAddress(ip, src, L.addresses.kind(ip)) for ip, src in found)
    return L.LineIdentity(addresses, cgnat=draw(st.booleans()))


@given(lines(), st.one_of(v4, v6))
def test_elsewhere_only_when_the_line_rules_the_address_out(line, ip):
    if line.elsewhere(ip):
        family = ipaddress.ip_address(ip).version
        assert not line.cgnat and family in line.families()
        assert line.match(ip)[0] == L.OTHER and not line.is_line(ip)


@given(lines())
def test_the_lines_own_and_neighbouring_addresses_are_never_elsewhere(line):
    for own in line.public:
        assert not line.elsewhere(own.ip)
        net = ipaddress.ip_network(f"{own.ip}/{16 if ':' not in own.ip else 32}", strict=False)
        assert not line.elsewhere(str(net[1]))


def _against(tmp_path, public_ip):
    from app import flows
    from cases.store import Case

    case = Case(tmp_path / f"case-{public_ip}")
    flows.read_notice(case, SAMPLE.read_bytes(), public_ip=public_ip, zone=JST, power={})
    ranked = S.rank(S.facts_of(assess(case, JST)))
    forged = next(s for s in ranked if s.who == S.NOT_THIS_LINE)
    return [c.code for c in forged.clues_against]


@pytest.mark.parametrize(
    ("public_ip", "clue"),
    [
        ("203.0.113.45", "headers_show_a_login_elsewhere"),
        (None, "headers_show_a_login_maybe_from_this_line"),  # the line's address not given
        ("185.220.7.9", "headers_show_a_login_maybe_from_this_line"),  # a dynamic neighbour
        ("100.64.3.4", "headers_show_a_login_maybe_from_this_line"),  # behind CGNAT
        ("2001:db8:1::5", "headers_show_a_login_maybe_from_this_line"),  # only its IPv6 known
    ],
)
def test_the_real_sample_says_elsewhere_only_when_the_line_rules_it_out(tmp_path, public_ip, clue):
    assert _against(tmp_path, public_ip) == [clue]
