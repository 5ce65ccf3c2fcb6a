"""Captures in the link layers a home line shows, written byte by byte here (each structure as
its specification lays it out), and a link layer the reader does not decode: counted and
reported, never a silent pass."""

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from cases import flows
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
        text=True,
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
