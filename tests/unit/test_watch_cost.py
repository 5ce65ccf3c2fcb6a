"""The watch walks the connection table only when a connection was made since its last look, or
a mail connection was open then (issue 36: watching costs nearly nothing on an idle PC) — and
never misses a mail connection because of it."""

import socket
import sys

import pytest

from checks.probes import sockets
from checks.probes.mail_connections import ConnectionWatch
from checks.probes.sockets import Socket, SocketTable

# /proc/net/snmp's TCP lines as this machine's kernel (6.18) writes them.
SNMP = (
    b"Ip: Forwarding DefaultTTL InReceives\nIp: 1 64 96366\n"
    b"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets"
    b" CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
    b"Tcp: 1 200 120000 -1 2488 2180 63 32 0 96366 69510 30 0 293 0\n"
    b"Udp: InDatagrams NoPorts\nUdp: 10 2\n"
)


def test_active_opens_is_read_from_the_tcp_lines():
    assert sockets.parse_active_opens(SNMP) == 2488
    assert sockets.parse_active_opens(b"Tcp: A B\n") is None
    assert sockets.parse_active_opens(b"") is None


class Counter:
    def __init__(self):
        self.value = 0

    def read(self):
        return self.value


def mail_socket(port=51000):
    return Socket("192.168.1.10", port, "198.51.100.7", 25, "SYN_SENT", inode=0)


def make_watch(tables):
    counter = Counter()
    watch = ConnectionWatch(use_proc=False, opens=counter, read_table=lambda: tables.pop(0))
    watch._opens = counter  # the counter is used whatever reader the platform has
    return watch, counter


def test_no_new_connection_and_none_open_means_no_walk():
    empty = SocketTable(())
    watch, counter = make_watch([empty, empty, empty])
    assert watch.poll() == 0 and watch.walks == 1  # the first look always walks
    assert watch.poll() == 0 and watch.poll() == 0
    assert watch.walks == 1 and watch.polls == 3
    counter.value += 1  # a connect() somewhere: look
    assert watch.poll() == 0 and watch.walks == 2


def test_an_open_mail_connection_is_followed_on_every_poll_until_it_is_gone():
    live = SocketTable((mail_socket(),))
    watch, counter = make_watch([SocketTable(()), live, live, SocketTable(())])
    watch.poll()
    counter.value += 1
    assert watch.poll() == 1
    assert watch.poll() == 1  # no new connect(), but one is open: walk to follow it
    assert watch.poll() == 0 and watch.walks == 4
    assert watch.poll() == 0 and watch.walks == 4  # gone, nothing new: no walk


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/net/snmp is Linux's")
def test_a_real_connection_to_a_mail_port_is_seen_after_idle_polls():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    watch = ConnectionWatch(ports=(port,))
    assert watch._opens is not None
    watch.poll()
    walks, before = watch.walks, watch._opens.read()
    for _ in range(5):
        watch.poll()
    idle_walks, quiet = watch.walks - walks, watch._opens.read() == before
    client = socket.create_connection(("127.0.0.1", port))
    try:
        assert watch.poll() >= 1
        assert any(o.rport == port for o in watch.observations.values())
    finally:
        client.close()
        server.close()
    # Unless some other process connected meanwhile, the idle polls walked nothing.
    if quiet:
        assert idle_walks == 0
