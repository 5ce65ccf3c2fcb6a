"""Every parser of outside input is linear: the notice reader and the pcap reader on 100 KB and
1 MB of hostile shapes. Time grows ~10x for 10x the input when linear (~100x if quadratic);
each 1 MB must also finish within 2 s. Ratios are measured in the same run."""

import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import notice, pcapfile


def shapes(size: int) -> dict[str, bytes]:
    def fill(unit: bytes) -> bytes:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "comma-separated numbers": fill(b"1,"),
        "Japanese timestamps": fill("2026年11月20日 14時05分頃\n".encode()),
        "IP addresses": fill(b"203.0.113.45 "),
        "one long number": fill(b"1"),
        "Received headers": fill(
            b"Received: from a (b [192.0.2.1]) by c; 20 Nov 2026 14:05 +0900\n"
        ),
        "counts and references": fill("約3,700通 受付番号：AB-1 送信元ポート 25番 ".encode()),
        "colons": fill(b":"),
    }


def pcap(size: int) -> bytes:
    frame = bytes(12) + b"\x08\x00" + bytes(40)
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    record = struct.pack("<IIII", 1763600000, 0, len(frame), len(frame)) + frame
    return out + record * (size // len(record))


def seconds(fn, data: bytes) -> float:
    t0 = time.perf_counter()
    fn(data)
    return time.perf_counter() - t0


def read_pcap(data: bytes) -> None:
    import io

    for _ in pcapfile.Reader(io.BytesIO(data)).packets():
        pass


def main() -> int:
    """Exit status 1 when a parser is not linear (10x the input, over 30x the time: a ratio
    measured in the same run, which `make test` checks; the 2 s limit is only printed)."""
    # --check (make test): a tenth of the sizes, so that a quadratic parser fails in seconds
    # rather than taking minutes to.
    small, large = (20_000, 200_000) if "--check" in sys.argv else (100_000, 1_000_000)
    worst, quadratic = 0.0, False
    print(f"{'input':28} {small // 1000:>6} KB {large // 1000:>6} KB {'ratio':>6}")
    rows = [(k, notice.analyse, v, shapes(large)[k]) for k, v in shapes(small).items()]
    rows.append(("pcap frames", read_pcap, pcap(small), pcap(large)))
    for name, fn, a, b in rows:
        ta, tb = seconds(fn, a), seconds(fn, b)
        ratio = tb / max(ta, 1e-6)
        worst = max(worst, tb)
        flag = "  <- not linear" if ratio > 30 else ""
        quadratic = quadratic or ratio > 30
        flag += "  <- over 2 s" if tb > 2.0 else ""
        print(f"{name:28} {ta * 1000:7.0f}ms {tb * 1000:7.0f}ms {ratio:6.1f}{flag}")
    print(f"slowest {large // 1000} KB: {worst:.2f} s (limit 2 s for 1 MB)")
    return 1 if quadratic else 0


if __name__ == "__main__":
    sys.exit(main())
