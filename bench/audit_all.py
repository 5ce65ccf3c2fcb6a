"""Wall time of `audit` over every check that exists, against a bare interpreter start in the
same run (ratios: these machines are noisy), and the slowest checks from the run's own timings.

    python bench/audit_all.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False).stdout
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    baseline = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(5))
    runs = [
        timed([sys.executable, "main.py", "audit", "--json", "--lang", "en"])
        for _ in range(args.repeat)
    ]
    wall = statistics.median(t for t, _ in runs)
    results = json.loads(runs[-1][1])
    print(f"audit over {len(results)} checks: {wall:.2f} s median of {args.repeat}")
    print(f"python -c pass baseline:      {baseline:.3f} s  (audit = {wall / baseline:.0f}x)")
    print("per check (last run, ms; they run concurrently):")
    for r in sorted(results, key=lambda r: -r["duration_ms"]):
        print(f"  {r['id']:12} {r['duration_ms']:>7} ms  {r['status']}")


if __name__ == "__main__":
    main()
