"""`main.py analyze` on capture files the tests write, truncated ones and garbage."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("scapy.all")
from tests.unit.test_traffic import smtp_session, write_pcap

ROOT = Path(__file__).resolve().parents[2]


def analyze(path, *extra):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "analyze", str(path), "--json", *extra],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize("ng", [False, True])
def test_summary_and_exit_code(tmp_path, ng):
    path = tmp_path / ("a.pcapng" if ng else "a.pcap")
    path.write_bytes(write_pcap(smtp_session(lines=[("c", b"EHLO bot\r\n")]), ng=ng))
    out = analyze(path)
    doc = json.loads(out.stdout)
    assert doc["smtp_syn_total"] == 1 and doc["ehlo_names"] == ["bot"]
    assert {r["id"] for r in doc["results"]} == {"TRAFFIC-SMTP", "TRAFFIC-MX"}
    assert out.returncode == 2  # direct port-25 traffic from an unidentified program


def test_truncated_file_warns_and_summarises(tmp_path):
    data = write_pcap(smtp_session(lines=[("c", b"EHLO x\r\n")] * 10))
    path = tmp_path / "cut.pcap"
    path.write_bytes(data[:-25])
    out = analyze(path)
    assert out.returncode == 2
    assert "truncated" in out.stderr
    assert json.loads(out.stdout)["warnings"]


def test_garbage_and_empty_exit_3(tmp_path):
    for content in (b"", b"not a capture at all", b"\xd4\xc3\xb2\xa1" + b"\0" * 10):
        path = tmp_path / "bad.pcap"
        path.write_bytes(content)
        out = analyze(path)
        assert out.returncode == 3 and "Traceback" not in out.stderr


def test_case_gets_the_summary(tmp_path):
    path = tmp_path / "a.pcap"
    path.write_bytes(write_pcap(smtp_session(dport=587)))
    case = tmp_path / "case"
    analyze(path, "--case", str(case))
    assert json.loads((case / "capture.json").read_text(encoding="utf-8"))["smtp_syn_total"] == 1
