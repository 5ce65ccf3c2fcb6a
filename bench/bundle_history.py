"""`bundle` on a case whose history holds 5,000 and 50,000 results (issue 30: it took 72-82 s
for 50,000 when every question re-read and re-validated the history). Linear means ~10x the
time for 10x the history; the baseline in the same run is what cannot be avoided: reading the
history once and writing it once as JSON (json.loads + json.dumps of the same file)."""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cases.store import Case  # noqa: E402
from checks.model import Result, Status  # noqa: E402


def make_case(folder: Path, n: int) -> Case:
    case = Case(folder)
    results = [
        Result("HOST-SMTP-OUT", Status.PASS, reason="no_mail_traffic", params={"seconds": i})
        for i in range(n)
    ]
    with case.update() as u:
        u.add_results(results)
    case.set_details(provider="ISP", name="Taro")
    return case


def bundle_seconds(case: Case, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [
            *(sys.executable, str(ROOT / "main.py"), "bundle", "--case", str(case.path)),
            *("--out", str(out), "--force", "--no-pdf", "--lang", "en"),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def baseline_seconds(case: Case) -> float:
    t0 = time.perf_counter()
    data = json.loads((case.path / "history.json").read_bytes())
    json.dumps(data, ensure_ascii=False, indent=2)
    return time.perf_counter() - t0


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (5_000, 50_000):
            case = make_case(Path(tmp) / f"case{n}", n)
            bundle = min(bundle_seconds(case, Path(tmp) / f"b{n}.zip") for _ in range(3))
            base = min(baseline_seconds(case) for _ in range(3))
            rows.append((n, bundle, base))
    print("| history | bundle (--no-pdf) | read+write the history as JSON | bundle / baseline |")
    print("| --- | --- | --- | --- |")
    for n, bundle, base in rows:
        print(f"| {n:,} | {bundle:.2f} s | {base:.2f} s | {bundle / base:.1f}x |")
    growth = rows[1][1] / rows[0][1]
    print(f"\n10x the history: {growth:.1f}x the bundle time (linear: about 10x or less)")


if __name__ == "__main__":
    main()
