"""Captures in the link layers a home line shows, written byte by byte here (each structure as
its specification lays it out), and a link layer the reader does not decode: counted and
reported, never a silent pass."""

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from app import flows
from checks.model import Status

pytest.importorskip("scapy.all")
from scapy.layers.inet import IP, TCP

ROOT = Path(__file__).resolve().parents[2]
SYN = bytes(IP(src="192.168.1.23", dst="198.51.100.7") / TCP(sport=40001, dport=25, flags="S"))
MAC = bytes.fromhex("020000000001") + bytes.fromhex("020000000002")


def pcap(linktype: int, frames: list[bytes]) -> bytes:
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", 1763600000 + i, 0, len(frame), len(frame)) + frame
    return out


def pppoe(ip: bytes, protocol: int = 0x0021) -> bytes:
    # Ethernet type 0x8864, PPPoE header: ver/type 0x11, code 0 (session), session id, length;
    # then the PPP protocol (0x0021 IPv4, 0xc021 LCP).
    payload = struct.pack(">H", protocol) + ip
    return MAC + b"\x88\x64" + struct.pack(">BBHH", 0x11, 0, 0x1234, len(payload)) + payload


def analyze(tmp_path, data: bytes):
    path = tmp_path / "c.pcap"
    path.write_bytes(data)
    return flows.analyze_capture(None, path)


def test_pppoe_session_frames_are_read(tmp_path):
    lcp = pppoe(b"\x09\x01\x00\x08\x00\x00\x00\x00", protocol=0xC021)  # an echo, not IP
    summary, results = analyze(tmp_path, pcap(1, [lcp, pppoe(SYN)]))
    assert summary["smtp_syn_total"] == 1 and summary["frames_undecoded"] == 0
    assert {r.id: r.status for r in results}["TRAFFIC-SMTP"] == Status.FAIL


def test_qinq_and_ppp_link_types_are_read(tmp_path):
    qinq = MAC + b"\x88\xa8\x00\x64" + b"\x81\x00\x00\x0a" + b"\x08\x00" + SYN
    summary, _ = analyze(tmp_path, pcap(1, [qinq]))
    assert summary["smtp_syn_total"] == 1
    summary, _ = analyze(tmp_path, pcap(9, [b"\xff\x03\x00\x21" + SYN]))
    assert summary["smtp_syn_total"] == 1


def test_a_link_layer_that_is_not_decoded_is_unknown_never_pass(tmp_path):
    radiotap = b"\x00\x00\x08\x00\x00\x00\x00\x00" + b"\x08\x02" + bytes(22) + SYN
    summary, results = analyze(tmp_path, pcap(127, [radiotap] * 5))
    assert summary["frames_undecoded"] == 5 and summary["undecoded_link_types"] == [127]
    by_id = {r.id: r for r in results}
    assert by_id["TRAFFIC-SMTP"].status == Status.UNKNOWN
    assert by_id["TRAFFIC-MX"].status == Status.UNKNOWN
    assert "5 of 5 frames" in by_id["TRAFFIC-SMTP"].summary
    path = tmp_path / "radiotap.pcap"
    path.write_bytes(pcap(127, [radiotap] * 5))
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "analyze", str(path), "--json"],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 1  # could not tell, not all clear
    doc = json.loads(out.stdout)
    assert {r["status"] for r in doc["results"]} == {"unknown"}


def test_a_few_undecoded_frames_are_reported_beside_the_verdict(tmp_path):
    frames = [MAC + b"\x08\x00" + SYN] + [MAC + b"\x08\x06" + bytes(28)] * 3
    summary, results = analyze(tmp_path, pcap(1, frames))
    assert summary["frames_undecoded"] == 0  # ARP is decoded: it is just not mail
    assert {r.id: r.status for r in results}["TRAFFIC-SMTP"] == Status.FAIL


def sll2(ip: bytes) -> bytes:
    # protocol type, reserved, interface index, ARPHRD, packet type, address length, address
    return struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 4, 6, bytes(8)) + ip


def pcapng(interfaces: list[int], packets: list[tuple[int, bytes]]) -> bytes:
    """A pcapng file: one section, several interfaces of different link types."""
    out = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    for linktype in interfaces:
        out += struct.pack("<IIHHI", 1, 20, linktype, 0, 65535) + struct.pack("<I", 20)
    for iface, frame in packets:
        pad = (-len(frame)) % 4
        length = 32 + len(frame) + pad
        out += struct.pack("<IIIIIII", 6, length, iface, 0, 1, len(frame), len(frame))
        out += frame + bytes(pad) + struct.pack("<I", length)
    return out


@pytest.mark.parametrize(
    ("linktype", "frame"),
    [
        (113, bytes(14) + b"\x08\x00" + SYN),  # Linux cooked (SLL)
        (276, sll2(SYN)),  # SLL2
        (0, struct.pack("<I", 2) + SYN),  # BSD loopback (DLT_NULL), AF_INET
        (101, SYN),  # raw IP
        (12, SYN),
        (228, SYN),  # IPv4
    ],
)
def test_every_home_line_link_layer_is_read(tmp_path, linktype, frame):
    summary, _ = analyze(tmp_path, pcap(linktype, [frame]))
    assert summary["smtp_syn_total"] == 1 and summary["frames_undecoded"] == 0


def test_ipv6_with_an_extension_header_is_read(tmp_path):
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop

    syn6 = bytes(
        IPv6(src="2001:db8::23", dst="2001:db8:1::7")
        / IPv6ExtHdrHopByHop()
        / TCP(sport=40002, dport=25, flags="S")
    )
    summary, _ = analyze(tmp_path, pcap(1, [MAC + b"\x86\xdd" + syn6]))
    assert summary["smtp_syn_total"] == 1


def test_pcapng_with_interfaces_of_different_link_types(tmp_path):
    data = pcapng([1, 101, 127], [(0, MAC + b"\x08\x00" + SYN), (1, SYN), (2, b"\x00" * 30)])
    path = tmp_path / "multi.pcapng"
    path.write_bytes(data)
    summary, _ = flows.analyze_capture(None, path)
    # The same SYN seen on two interfaces: two attempts counted, one destination.
    assert summary["frames"] == 3 and summary["smtp_syn_total"] == 2
    assert len(summary["destinations"]) == 1
    assert summary["frames_undecoded"] == 1 and summary["undecoded_link_types"] == [127]
