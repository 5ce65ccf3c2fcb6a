"""Parsing /proc/net/tcp{,6} recorded on a real Linux machine (loopback listeners, an
ESTABLISHED session to 127.0.0.1:25, one to [::1]:587 and a TIME_WAIT)."""

from hypothesis import given
from hypothesis import strategies as st

from checks.probes.sockets import (
    _LISTEN_PATTERN,
    _remote_port_pattern,
    decode_proc_address,
    parse_proc_tcp,
)
from tests.recorded import DATA

TCP = (DATA / "linux/proc_net_tcp.txt").read_bytes()
TCP6 = (DATA / "linux/proc_net_tcp6.txt").read_bytes()
MAIL = _remote_port_pattern([25, 465, 587, 2525])


def test_decode_addresses():
    assert decode_proc_address("0100007F") == "127.0.0.1"
    assert decode_proc_address("020200C0") == "192.0.2.2"
    assert decode_proc_address("00000000000000000000000001000000") == "::1"
    assert decode_proc_address("0000000000000000FFFF00000100007F") == "127.0.0.1"


def test_outbound_mail_sockets_ipv4():
    found = parse_proc_tcp(TCP, MAIL)
    assert [(s.raddr, s.rport, s.state) for s in found] == [
        ("127.0.0.1", 25, "ESTABLISHED"),
        ("127.0.0.1", 2525, "TIME_WAIT"),
    ]
    established, time_wait = found
    assert established.inode == 7970 and established.lport == 0xCBEE
    assert time_wait.inode == 0  # closed: no owner any more


def test_outbound_mail_sockets_ipv6():
    found = parse_proc_tcp(TCP6, MAIL)
    assert [(s.laddr, s.raddr, s.rport, s.inode) for s in found] == [("::1", "::1", 587, 7972)]


def test_server_side_of_a_session_is_not_outbound():
    # 127.0.0.1:25 -> 127.0.0.1:52206 is the server's half: its remote port is not a mail port.
    assert all(s.lport != 25 for s in parse_proc_tcp(TCP, MAIL))


def test_listeners():
    found = parse_proc_tcp(TCP, _LISTEN_PATTERN) + parse_proc_tcp(TCP6, _LISTEN_PATTERN)
    assert {(s.laddr, s.lport) for s in found} == {
        ("0.0.0.0", 2525),
        ("0.0.0.0", 2024),
        ("127.0.0.1", 25),
        ("::", 1080),
        ("::1", 587),
    }


@given(st.binary(max_size=2000))
def test_garbage_never_crashes(data):
    parse_proc_tcp(data, MAIL)
    parse_proc_tcp(data, _LISTEN_PATTERN)


@given(st.lists(st.sampled_from(TCP.splitlines(keepends=True) + TCP6.splitlines(keepends=True))))
def test_any_mix_of_real_lines_parses_consistently(lines):
    data = b"".join(lines)
    assert len(parse_proc_tcp(data, MAIL)) == sum(1 for ln in lines if MAIL.match(ln))
