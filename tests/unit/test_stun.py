"""The STUN client against a real STUN responder on loopback, and garbage answers."""

import socket
import struct
import threading

from hypothesis import given
from hypothesis import strategies as st

from checks.probes import stun


def responder(address: str, port_holder: list):
    """A tiny STUN server answering every Binding request with XOR-MAPPED-ADDRESS ``address``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port_holder.append(sock.getsockname()[1])

    def serve():
        data, peer = sock.recvfrom(2048)
        transaction = data[8:20]
        raw = socket.inet_aton(address)
        xored = bytes(b ^ k for b, k in zip(raw, struct.pack("!I", stun.MAGIC), strict=True))
        attr = struct.pack("!HHBBH", 0x0020, 8, 0, 1, 3478 ^ (stun.MAGIC >> 16)) + xored
        sock.sendto(struct.pack("!HHI", 0x0101, len(attr), stun.MAGIC) + transaction + attr, peer)
        sock.close()

    threading.Thread(target=serve, daemon=True).start()


def test_public_address_from_a_stun_server(monkeypatch):
    port: list = []
    responder("81.2.69.160", port)
    monkeypatch.setenv("CLEARLINE_STUN_SERVERS", f"127.0.0.1:{port[0]}")
    address, server = stun.public_address(timeout=2)
    assert address == "81.2.69.160" and server == f"127.0.0.1:{port[0]}"


def test_no_answer_is_none(monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("CLEARLINE_STUN_SERVERS", f"127.0.0.1:{s.getsockname()[1]}")
        assert stun.public_address(timeout=0.3) == (None, None)


@given(st.binary(max_size=200), st.binary(min_size=12, max_size=12))
def test_garbage_answers_never_crash(data, transaction):
    stun.parse_response(data, transaction)
