"""Capture and analyze, each against an established tool in the same run (ratios, not absolute
times: these machines are noisy).

1. Lossless rate: a SYN flood to 127.0.0.1:25 on loopback, watched at once by `main.py capture`
   and by tcpdump. Reports what each saw, the kernel drops, and the rate. (root only)
2. `main.py analyze` on a 1,000,000-packet pcap vs `tshark -r FILE -q -z conv,tcp`: wall time
   and peak memory (ru_maxrss of each process).

    sudo python bench/capture_bench.py [--flood 200000] [--packets 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def syn_frame(
    sport: int, dst: str = "127.0.0.1", dport: int = 25, payload: bytes = b"", flags: int = 0x02
) -> bytes:
    src_b, dst_b = socket.inet_aton("127.0.0.1"), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\0" * 12 + b"\x08\x00" + ip + tcp


def run_with_rusage(argv: list[str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    out = proc.stdout.read()
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss // 1024, out.decode(errors="replace")


def flood(count: int, rate: int) -> None:
    if os.geteuid() != 0:
        print("lossless rate: skipped (needs root)")
        return
    if not shutil.which("tcpdump"):
        print("lossless rate: skipped (tcpdump is not installed: apt install tcpdump)")
        return
    tmp = Path(tempfile.mkdtemp())
    cap = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "capture",
            "--iface",
            "lo",
            "--seconds",
            "25",
            "--json",
            "--pcap",
            str(tmp / "c.pcap"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    cap.stdout.readline()
    dump = subprocess.Popen(
        [
            "tcpdump",
            "-i",
            "lo",
            "-n",
            "-B",
            "65536",
            "-w",
            str(tmp / "t.pcap"),
            "tcp port 25 or tcp port 465 or tcp port 587 or tcp port 2525 or port 53",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    frames = [syn_frame(1024 + (i % 60000)) for i in range(1000)]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("lo", 0))
    t0 = time.perf_counter()
    batch = max(1, rate // 100) if rate else count
    sent = 0
    while sent < count:
        for _ in range(min(batch, count - sent)):
            s.send(frames[sent % 1000])
            sent += 1
        if rate:
            ahead = t0 + sent / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    elapsed = time.perf_counter() - t0
    time.sleep(2)
    dump.terminate()
    dump_err = dump.communicate()[1]
    cap.send_signal(15)
    summary = json.loads(cap.communicate()[0].strip().splitlines()[-1])
    captured = summary["smtp_syn_total"]
    dump_captured = next(
        (int(ln.split()[0]) for ln in dump_err.splitlines() if "captured" in ln), -1
    )
    dump_dropped = next(
        (int(ln.split()[0]) for ln in dump_err.splitlines() if "dropped by kernel" in ln), -1
    )
    rate = count / elapsed
    print(f"SYN flood on lo: {count} packets in {elapsed:.2f} s = {rate:,.0f} packets/s")
    print(
        f"  clearline capture: {captured} SYNs counted (each once), kernel drops {summary['kernel_drops']}"
        f"  -> {'lossless' if captured == count else f'lost {count - captured}'}"
    )
    # Frames injected on lo are seen once (as sent); real loopback traffic twice.
    print(
        f"  tcpdump:           {dump_captured} packets, {dump_dropped} dropped by kernel"
        f"  -> {'lossless' if dump_captured >= count and dump_dropped == 0 else 'lost some'}"
    )
    print(f"  ratio clearline/tcpdump: {captured / max(1, dump_captured):.2f}")


def write_big_pcap(path: Path, packets: int) -> None:
    kinds = [syn_frame(2000 + i, dst=f"198.51.100.{i % 200 + 1}") for i in range(500)]
    kinds += [
        syn_frame(3000 + i, dport=587, flags=0x18, payload=b"EHLO host.example\r\n")
        for i in range(200)
    ]
    dns = (
        b"\0" * 12
        + b"\x08\x00"
        + struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            20 + 8 + 33,
            0,
            0,
            64,
            17,
            0,
            socket.inet_aton("192.0.2.2"),
            socket.inet_aton("192.0.2.53"),
        )
    )
    dns += struct.pack("!HHHH", 5353, 53, 8 + 33, 0) + struct.pack("!HHHHHH", 1, 0x100, 1, 0, 0, 0)
    dns += b"\x07example\x03org\x00\x00\x0f\x00\x01"
    kinds += [dns] * 100
    with path.open("wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        rec = struct.Struct("<IIII")
        for i in range(packets):
            frame = kinds[i % len(kinds)]
            fp.write(rec.pack(1763600000 + i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
            fp.write(frame)


def analyze(packets: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    pcap = tmp / "big.pcap"
    write_big_pcap(pcap, packets)
    ours = run_with_rusage([sys.executable, "main.py", "analyze", str(pcap), "--json"])
    print(f"analyze {packets:,} packets ({pcap.stat().st_size / 1e6:.0f} MB):")
    print(f"  clearline analyze: {ours[0]:6.2f} s, peak {ours[1]:5d} MB")
    if shutil.which("tshark"):
        theirs = run_with_rusage(["tshark", "-r", str(pcap), "-q", "-z", "conv,tcp"])
        print(f"  tshark conv,tcp:   {theirs[0]:6.2f} s, peak {theirs[1]:5d} MB")
        print(
            f"  clearline is {theirs[0] / ours[0]:.1f}x as fast, in {ours[1] / max(1, theirs[1]):.0%} of the memory"
        )
    else:
        print("  tshark is not installed (apt install tshark): no comparison")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flood", type=int, default=200_000)
    ap.add_argument(
        "--rate",
        type=int,
        nargs="*",
        default=[40_000, 0],
        help="packets/s; 0 = as fast as possible",
    )
    ap.add_argument("--packets", type=int, default=1_000_000)
    args = ap.parse_args()
    for rate in args.rate:
        flood(args.flood, rate)
    analyze(args.packets)


if __name__ == "__main__":
    main()
