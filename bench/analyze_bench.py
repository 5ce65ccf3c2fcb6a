"""`analyze` of a home line's capture against tcpdump's BPF pass over the same file (issue 36).

The capture (bench/helpers/home_capture.py, built once and reused): 1,000,000 Ethernet frames of
a household with a bot, about 40% of them mail or DNS. The baseline is what tcpdump does to
select those packets:

    tcpdump -r FILE -w /dev/null 'tcp port 25 or 465 or 587 or 2525 or port 53'

Interleaved runs (tcpdump, analyze, tcpdump, ...), medians: wall time and peak memory of each
process, and the ratio; then analyze with libpcap's filter turned off (the Python reader, as
before issue 36 and as a file libpcap cannot read is read), and where analyze's time goes
(the filter pipeline alone, the analyser, the summary and output), to say what a compiled
decoder would gain. Absolute times vary by tens of percent on these machines: read the ratios.

    python bench/analyze_bench.py [--packets 1000000] [--runs 5] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "helpers"))
FILTER = "tcp port 25 or 465 or 587 or 2525 or port 53"
GOAL = 7.0
NO_FILTER = (
    "import runpy, sys; from checks import prefilter; "
    "prefilter.feed_file = lambda *a, **k: None; "
    "sys.argv = ['main.py', 'analyze', sys.argv[1], '--json']; "
    "runpy.run_path('main.py', run_name='__main__')"
)


def capture(packets: int, fresh: bool) -> Path:
    """The home-line capture of ``packets`` frames, built once per machine (a few seconds)."""
    import home_capture

    path = Path(tempfile.gettempdir()) / f"clearline-home-{packets}.pcap"
    if fresh or not path.exists():
        part = path.with_suffix(".part")
        home_capture.write(part, packets)
        part.replace(path)
    return path


def run(argv: list[str]) -> tuple[float, int]:
    """(wall seconds, peak memory MB) of one process, its output discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss // 1024


def selected(path: Path) -> int:
    out = subprocess.run(
        ["tcpdump", "-r", str(path), "--count", FILTER],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.split()[0])


def phases(path: Path) -> dict[str, float]:
    """Where analyze's time goes, in this process: the filter pipeline with an analyser that
    does nothing, the same with the analyser, then the summary, results and JSON."""
    import io

    from app import flows
    from checks import prefilter, traffic
    from checks.analyzer import Analyzer
    from reports import jsonout

    class Idle(Analyzer):
        def feed(self, ts, packet, scrub=False):
            return None

    out = {}
    for name, cls in (("pipeline", Idle), ("pipeline + analyser", Analyzer)):
        analyzer = cls()
        t0 = time.perf_counter()
        with open(path, "rb") as fp:
            counts = prefilter.feed_file(path, fp, analyzer)
        out[name] = time.perf_counter() - t0
        assert counts is not None, "libpcap's filter was not used"
    t0 = time.perf_counter()
    summary = analyzer.summary(by_host=True)
    results = [flows._stamp(r) for r in traffic.results_for(summary, False, path.name)]
    document = {"type": "summary", **summary, "results": [r.to_dict() for r in results]}
    jsonout.write(io.StringIO(), document)
    out["summary, results, JSON"] = time.perf_counter() - t0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fresh", action="store_true", help="build the capture again")
    args = ap.parse_args()
    if not shutil.which("tcpdump"):
        print("analyze vs tcpdump: skipped (tcpdump is not installed: apt install tcpdump)")
        return
    from checks import prefilter

    if prefilter.libpcap() is None:
        print("note: libpcap is not loadable here: analyze reads every packet in Python")
    path = capture(args.packets, args.fresh)
    mail = selected(path)
    size = path.stat().st_size / 1e6
    print(f"capture: {args.packets:,} frames, {size:.0f} MB, {mail:,} mail or DNS ({path})")
    ours, theirs, memory = [], [], []
    for _ in range(args.runs):
        theirs.append(run(["tcpdump", "-r", str(path), "-w", os.devnull, FILTER])[0])
        seconds, peak = run([sys.executable, "main.py", "analyze", str(path), "--json"])
        ours.append(seconds)
        memory.append(peak)
    tcpdump, analyze = statistics.median(theirs), statistics.median(ours)
    ratio = analyze / tcpdump
    print(f"  tcpdump BPF pass:     {tcpdump:6.2f} s   (runs {_spread(theirs)})")
    print(
        f"  clearline analyze:    {analyze:6.2f} s   (runs {_spread(ours)}), peak {max(memory)} MB"
    )
    print(f"  ratio: {ratio:.1f}x tcpdump = {analyze / mail * 1e6:.2f} us per mail/DNS packet")
    verdict = "reached" if ratio <= GOAL else f"not reached: {ratio / GOAL:.1f}x over"
    print(f"  goal <= {GOAL:.0f}x: {verdict}")
    slow = statistics.median(run([sys.executable, "-c", NO_FILTER, str(path)])[0] for _ in range(2))
    print(f"  without libpcap's filter (Python reader): {slow:.2f} s = {slow / tcpdump:.1f}x")
    _where(path, tcpdump, analyze)


def _where(path: Path, tcpdump: float, analyze: float) -> None:
    spent = phases(path)
    floor = spent["pipeline"]
    analyser = spent["pipeline + analyser"] - floor
    rest = spent["summary, results, JSON"]
    startup = max(0.0, analyze - spent["pipeline + analyser"] - rest)
    print("  where analyze's time goes (in one process):")
    print(f"    libpcap's passes + reading N, analyser idle: {floor:5.2f} s")
    print(f"    added by the analyser:                       {analyser:5.2f} s")
    print(f"    summary, results, JSON:                      {rest:5.2f} s")
    print(f"    start-up and the rest:                       {startup:5.2f} s")
    # A compiled decoder would do the analyser's per-packet work (and the stream's reading)
    # at about tcpdump's speed; what Python keeps is the summary, the output and start-up.
    compiled = tcpdump + rest + startup
    print(
        f"  a compiled decoder (the per-packet work in C) would leave about {compiled:.2f} s"
        f" = {compiled / tcpdump:.1f}x tcpdump"
    )


def _spread(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in sorted(values))


if __name__ == "__main__":
    main()
