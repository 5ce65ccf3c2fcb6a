"""A desk's batch check (issue 33): 1,000 bundles of realistic size verified in one run of
`python -m reports.bundle_check FOLDER`, on one core, against `sha256sum` over the same files
unpacked (the hashing that cannot be avoided; sha256sum does no zip reading, inflating, name
or journal checks). Goal: the 1,000 bundles in <= 60 s.

A realistic bundle: both letters (text and HTML), the report (HTML and PDF), results,
assessment, notice, reply.json, a 300 KB scrubbed capture and a journal part, ~0.5 MB zipped."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from reports import bundle  # noqa: E402
from tests.cases import JST, TODAY, build  # noqa: E402

N = int(os.environ.get("DESK_BUNDLES", "1000"))


BOT_MAILS = 1200  # the notice's 約1,200通 over its 25 minutes


def journal_part(case, folder: Path) -> int:
    """The journal's part for the complaint window, as `journal export` puts it in a case: a
    recorder running throughout (a heartbeat a minute) and the bot's 1,200 connections to port
    25 in the reported 25 minutes, an hour either side. Its chain proof is what the desk's
    check recomputes, record by record. Returns the records in the proof."""
    from datetime import timedelta

    from journal.export import window_doc
    from tests.unit.test_journal_letter import BOT, REPORTED, make_journal

    step = (REPORTED[1] - REPORTED[0]) / BOT_MAILS
    events = [
        (
            REPORTED[0] + step * i,
            {"rport": 25, "remote": f"198.51.100.{i % 200 + 1}", "program": BOT},
        )
        for i in range(BOT_MAILS)
    ]
    start, end = REPORTED[0] - timedelta(hours=1), REPORTED[1] + timedelta(hours=1)
    make_journal(folder, start, end, events=events)
    doc = window_doc(folder / "journal.sqlite3", start, end)
    with case.update() as u:
        u.set_journal(doc)
    return len(doc["proof"]["records"])


def one_bundle(folder: Path) -> Path:
    case = build("infected", folder / "cases")
    # A scrubbed capture of a realistic size beside the findings (bytes the checker must hash).
    case.pcap_path().write_bytes(os.urandom(300 * 1024))
    journal = folder / "journal"
    journal.mkdir()
    print(f"journal part: {journal_part(case, journal)} records in its proof")
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=True)
    return bundle.write(plan, folder / "model.zip")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = one_bundle(tmp)
        inbox = tmp / "inbox"
        inbox.mkdir()
        for i in range(N):
            os.link(model, inbox / f"bundle-{i:04d}.zip")
        unpacked = tmp / "unpacked"
        with zipfile.ZipFile(model) as zf:
            names = [n for n in zf.namelist() if n != "SHA256SUMS"]
            for i in range(N):
                zf.extractall(unpacked / f"{i:04d}")
        files = [str(unpacked / f"{i:04d}" / n) for i in range(N) for n in names]
        size = model.stat().st_size

        def run(argv: list[str]) -> float:
            t0 = time.perf_counter()
            # taskset: one core, as the goal says
            subprocess.run(
                ["taskset", "-c", "0", *argv], check=True, stdout=subprocess.DEVNULL, cwd=ROOT
            )
            return time.perf_counter() - t0

        base = run(["sh", "-c", 'printf "%s\\0" "$@" | xargs -0 sha256sum', "sh", *files])
        ours = run([sys.executable, "-m", "reports.bundle_check", str(inbox)])
        print(f"{N} bundles of {size / 1e6:.2f} MB ({len(names)} files each)")
        print(f"  sha256sum over the unpacked files: {base:6.2f} s")
        print(f"  python -m reports.bundle_check:    {ours:6.2f} s  ({ours / base:.1f}x)")
        print(f"  goal <= 60 s: {'met' if ours <= 60 else 'NOT met'}")
        shutil.rmtree(unpacked)


if __name__ == "__main__":
    main()
