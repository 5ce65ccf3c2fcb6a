"""sock_diag (netlink) against the kernel's own /proc/net/tcp view of live loopback sockets."""

import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.probes import sockdiag
from checks.probes.sockets import LinuxTable

pytestmark = pytest.mark.integration
if not sockdiag.available():
    pytest.skip("NETLINK_SOCK_DIAG is not available on this kernel", allow_module_level=True)


@pytest.fixture
def sessions():
    """An IPv4 session to port 2525, an IPv6 one to 587 (or 2525), a v4-mapped one, an
    unrelated one on another port, and a TIME_WAIT left by a closed session."""
    held = []

    def serve(family, addr, port):
        s = socket.socket(family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen()
        held.append(s)
        return s

    v4 = serve(socket.AF_INET, "127.0.0.1", 2525)
    try:
        v6 = serve(socket.AF_INET6, "::1", 587)
    except PermissionError:
        v6 = serve(socket.AF_INET6, "::1", 2525)
    other = serve(socket.AF_INET, "127.0.0.1", 0)
    for server, target in (
        (v4, ("127.0.0.1", 2525)),
        (v6, v6.getsockname()[:2]),
        (other, other.getsockname()),
    ):
        c = socket.create_connection(target)
        a, _ = server.accept()
        held += [c, a]
    mapped = socket.socket(socket.AF_INET6)
    mapped.connect(("::ffff:127.0.0.1", 2525))
    a, _ = v4.accept()
    held += [mapped, a]
    closed = socket.create_connection(("127.0.0.1", 2525))
    a, _ = v4.accept()
    closed.close()
    a.recv(1)
    a.close()
    time.sleep(0.1)
    yield
    for s in held:
        s.close()


PORTS = [25, 465, 587, 2525]


def key(s):
    return (s.laddr, s.lport, s.raddr, s.rport, s.state, s.inode)


def test_netlink_and_proc_agree(sessions):
    fast = {key(s) for s in sockdiag.SockDiag(remote_ports=PORTS).read().sockets}
    slow = {key(s) for s in LinuxTable(remote_ports=PORTS).read().sockets}
    assert fast == slow
    states = {k[4] for k in fast}
    assert {"ESTABLISHED", "TIME_WAIT"} <= states
    assert any(k[2] == "::1" for k in fast)
    assert all(k[3] in PORTS for k in fast)


def test_listeners_agree(sessions):
    fast = {key(s) for s in sockdiag.SockDiag(listeners=True).read().sockets}
    slow = {key(s) for s in LinuxTable(listeners=True).read().sockets}
    assert fast == slow
    assert ("127.0.0.1", 2525) in {(k[0], k[1]) for k in fast}


@pytest.mark.parametrize("ports", [[2525], [25, 2525], [1, 2, 3, 2525, 65535]])
def test_filter_selects_exactly_the_ports(sessions, ports):
    found = sockdiag.SockDiag(remote_ports=ports).read().sockets
    assert found and all(s.rport in ports for s in found)


@given(st.binary(max_size=600))
def test_parser_never_crashes_on_garbage(data):
    try:
        sockdiag.parse_messages(data)
    except OSError:
        pass  # an NLMSG_ERROR is reported as OSError, on purpose
