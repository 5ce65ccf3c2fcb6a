"""The journal under load, against what was sent in the same run (Linux, root):

1. load: RATE new mail connections a second for SECONDS, each from its own process living
   about a millisecond (bench/helpers/connector.c, forked per connection). The baseline is the
   connector's own count: the journal must hold every one (0 lost), and name the connector's
   program file for at least 99%. Kernel-side drops (packet socket, trace buffer) are printed.
2. kill -9: a burst, then `kill -9` of the recorder; every connection older than a second
   before the kill must be in the journal (README's promise).

    sudo python bench/journal_load.py [--rate 1000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from journal.store import CONNECT, HEARTBEAT, Journal  # noqa: E402

TARGET = "127.0.0.77"


def build_connector(folder: Path) -> Path:
    exe = folder / "connector"
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        sys.exit("needs a C compiler (cc) to build the connector")
    subprocess.run([cc, "-O2", "-o", str(exe), str(ROOT / "bench/helpers/connector.c")], check=True)
    return exe


def start_recorder(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "journal", "run", "--db", str(db),
         "--heartbeat", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    line = proc.stderr.readline()
    if "Recording every mail connection" not in line:
        sys.exit(f"the recorder did not start in capture mode: {line}")
    time.sleep(0.5)
    return proc


def connects(db: Path) -> list:
    with Journal(db, readonly=True) as j:
        return [r for r in j.records(kinds=(CONNECT,)) if r.data.get("remote") == TARGET]


def drops(db: Path) -> int:
    with Journal(db, readonly=True) as j:
        return max(
            (int(r.data.get("drops") or 0) for r in j.records(kinds=(HEARTBEAT,))), default=0
        )


def load(folder: Path, connector: Path, rate: float, seconds: float) -> None:
    db = folder / "load.sqlite3"
    recorder = start_recorder(db)
    began = time.time()
    out = subprocess.run(
        [str(connector), TARGET, "25", str(rate), str(seconds)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    sent = int(out.stdout.strip())
    time.sleep(1.0)
    recorder.send_signal(signal.SIGTERM)
    recorder.wait(30)
    found = connects(db)
    right = sum(1 for r in found if (r.data.get("program") or {}).get("exe") == str(connector))
    by = {}
    for r in found:
        by[r.data.get("attributed_by")] = by.get(r.data.get("attributed_by"), 0) + 1
    lag = [r.ts_us / 1e6 - began for r in found[:1]]
    print(f"load: {sent} connections sent at {rate:g}/s for {seconds:g} s (the baseline)")
    print(
        f"  recorded {len(found)} ({len(found) / max(1, sent):.2%}), lost {max(0, sent - len(found))};"
        f" attributed to the connector {right} ({right / max(1, len(found)):.2%});"
        f" by method {by}; kernel-side drops {drops(db)}"
    )
    if lag:
        print(f"  first record {lag[0]:.3f} s after the start (the kernel's time of the packet)")


def kill9(folder: Path, connector: Path) -> None:
    db = folder / "kill.sqlite3"
    recorder = start_recorder(db)
    subprocess.run([str(connector), TARGET, "25", "500", "3"], capture_output=True, check=True)
    killed_at = time.time()
    recorder.send_signal(signal.SIGKILL)
    recorder.wait(10)
    found = connects(db)
    newest = max((r.ts_us / 1e6 for r in found), default=0)
    older = sum(1 for r in found if r.ts_us / 1e6 <= killed_at - 1.0)
    print(
        f"kill -9: 1,500 sent in 3 s; {len(found)} recorded, the newest {killed_at - newest:.3f} s"
        f" before the kill; of the about 1,000 sent more than a second before it, {older}"
        " recorded (the promise: at most the last second is lost)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        print("skipped: needs root on Linux (packet capture and the kernel's tracepoints)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        connector = build_connector(folder)
        load(folder, connector, args.rate, args.seconds)
        kill9(folder, connector)


if __name__ == "__main__":
    main()
