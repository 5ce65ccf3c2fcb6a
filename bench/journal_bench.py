"""The journal's costs, each against a baseline measured in the same run:

1. idle: CPU of `journal run` (packet filter, root) and `journal run --source poll` over the
   same minute, with 2,000 unrelated idle sockets and unrelated loopback traffic, against
   psutil.net_connections() polled at 4 Hz;
2. size: the database after a day of 100,000 mail connections (and a heartbeat a minute);
3. show: `journal show` for one hour of a 90-day journal, against `python -c pass`.

    python bench/journal_bench.py [--seconds 30] [--days 90] [--per-day 5000]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.watch_poll import idle_sockets  # noqa: E402
from journal.store import CONNECT, HEARTBEAT, START, Journal, canonical, record_hash  # noqa: E402

PROGRAM = {
    "pid": 4242,
    "started": "2026-11-20T13:00:00+09:00",
    "name": "thunderbird",
    "exe": "/usr/lib/thunderbird/thunderbird",
    "user": "taro",
    "parent": "gnome-shell (1200)",
    "kind": "mail_client",
}


def unrelated_traffic(stop: threading.Event, rate: int = 2000) -> None:
    """UDP datagrams to a port no filter wants, on loopback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    target = sink.getsockname()
    sink.setblocking(False)
    while not stop.is_set():
        for _ in range(rate // 10):
            sock.sendto(b"x" * 64, target)
        try:
            while True:
                sink.recv(100)
        except BlockingIOError:
            pass
        time.sleep(0.1)


def cpu_of(argv: list[str], seconds: float, settle: float = 4.0) -> float:
    """CPU seconds a process spends over ``seconds`` once started up (imports excluded)."""
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(settle)
        p = psutil.Process(proc.pid)
        t0 = sum(p.cpu_times()[:2])
        time.sleep(seconds)
        t1 = sum(p.cpu_times()[:2])
    finally:
        proc.terminate()
        proc.wait(10)
    return t1 - t0


POLL_4HZ = (
    "import time, psutil\nwhile True:\n    psutil.net_connections('tcp')\n    time.sleep(0.25)\n"
)


def idle(seconds: float) -> None:
    held = idle_sockets(2000)
    stop = threading.Event()
    traffic = threading.Thread(target=unrelated_traffic, args=(stop,), daemon=True)
    traffic.start()
    tmp = Path(tempfile.mkdtemp())
    rows = []
    try:
        base = cpu_of([sys.executable, "-c", POLL_4HZ], seconds)
        rows.append(("psutil.net_connections() at 4 Hz (baseline)", base))
        if os.geteuid() == 0:
            cap = cpu_of(
                [sys.executable, "main.py", "journal", "run", "--db", str(tmp / "a.db")], seconds
            )
            rows.append(("journal run (packet filter, all interfaces)", cap))
        poll = cpu_of(
            [
                sys.executable,
                "main.py",
                "journal",
                "run",
                "--source",
                "poll",
                "--db",
                str(tmp / "b.db"),
            ],
            seconds,
        )
        rows.append(("journal run --source poll (sock_diag, 2 Hz)", poll))
    finally:
        stop.set()
        for s in held:
            s.close()
    print(f"idle, 2,000 idle sockets, ~2,000 unrelated packets/s on loopback, {seconds:g} s:")
    print("| process | CPU s | % of one core | vs baseline |")
    print("| --- | --- | --- | --- |")
    for name, cpu in rows:
        print(f"| {name} | {cpu:.3f} | {100 * cpu / seconds:.2f}% | {cpu / base:.3f}x |")


def bulk(journal: Journal, items) -> None:
    """Append records fast (one transaction, executemany): the recorder's own format."""
    seq, prev = journal.last()
    rows = []
    for ts, kind, run, data in items:
        seq += 1
        text = canonical(data)
        digest = record_hash(prev, seq, ts, kind, run, text)
        rows.append((seq, ts, kind, run, text, prev, digest))
        prev = digest
    with journal.transaction():
        journal.db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?)", rows)
    journal._last = (seq, prev)


def day_items(day_start_us: int, per_day: int, run: int):
    step = 86_400_000_000 // per_day
    for i in range(per_day):
        yield (
            day_start_us + i * step,
            CONNECT,
            run,
            {
                "local": "192.168.10.23",
                "lport": 40000 + i % 20000,
                "remote": f"203.0.113.{i % 250}",
                "rport": 587,
                "program": PROGRAM,
            },
        )
    for m in range(1440):
        yield (
            day_start_us + m * 60_000_000,
            HEARTBEAT,
            run,
            {"mode": "capture", "heartbeat_s": 60},
        )


def size() -> None:
    tmp = Path(tempfile.mkdtemp())
    j = Journal(tmp / "day.db")
    run = j.append(START, {"mode": "capture"}, ts_us=1_700_000_000_000_000).seq
    items = sorted(day_items(1_700_000_000_000_000, 100_000, run), key=lambda x: x[0])
    t0 = time.perf_counter()
    bulk(j, items)
    took = time.perf_counter() - t0
    j.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    mb = j.size_bytes() / 1e6
    print(
        f"size: one day of 100,000 connections + 1,440 heartbeats = {mb:.1f} MB"
        f" (limit 50 MB); written and hashed in {took:.1f} s"
    )
    j.close()


def show(days: int, per_day: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "90d.db"
    j = Journal(db)
    start = 1_700_000_000_000_000
    run = j.append(START, {"mode": "capture"}, ts_us=start).seq
    t0 = time.perf_counter()
    for d in range(days):
        day = start + d * 86_400_000_000
        bulk(j, sorted(day_items(day, per_day, run), key=lambda x: x[0]))
    built = time.perf_counter() - t0
    records = j.count()
    # The recorder writes the head outside the database at every heartbeat: so does the year.
    from journal.heads import heads_path

    with heads_path(db).open("w") as fp:
        rows = j.db.execute("SELECT seq, ts, hash FROM records WHERE kind = 'heartbeat'")
        fp.writelines(f"{seq} {bytes(h).hex()} {ts}\n" for seq, ts, h in rows)
    j.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    j.close()
    from datetime import UTC, datetime

    mid = datetime.fromtimestamp((start + (days // 2) * 86_400_000_000) / 1e6, UTC)
    hour = ["--from", mid.isoformat(), "--to", (mid.replace(hour=(mid.hour + 1) % 24)).isoformat()]
    argv = [sys.executable, "main.py", "journal", "show", "--db", str(db), "--json", *hour]
    walls, bases = [], []
    for _ in range(5):
        t = time.perf_counter()
        out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True)
        bases.append(time.perf_counter() - t)
    assert out.returncode == 0, out.stderr
    from journal.export import window_doc

    t = time.perf_counter()
    doc = window_doc(db, mid, mid.replace(hour=(mid.hour + 1) % 24))
    inproc = time.perf_counter() - t
    from datetime import timedelta

    t = time.perf_counter()
    complaint = window_doc(db, mid, mid + timedelta(minutes=30))
    window = time.perf_counter() - t
    print(
        f"show: {days} days, {records:,} records ({db.stat().st_size / 1e6:.0f} MB, built in"
        f" {built:.0f} s); one hour ({len(doc['events'])} events): `journal show --json`"
        f" {statistics.median(walls):.2f} s wall vs `python -c pass` {statistics.median(bases):.2f} s;"
        f" the query itself {inproc * 1000:.0f} ms (limit 500 ms)"
    )
    print(
        f"complaint window: 30 minutes of {days} days ({len(complaint['events'])} events, coverage"
        f" complete={complaint['coverage']['complete']}, gaps {len(complaint['coverage']['gaps'])},"
        f" verified={complaint['verification']['trusted']}) in {window:.2f} s (goal 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=2000)
    args = parser.parse_args()
    size()
    show(args.days, args.per_day)
    if args.seconds <= 0:
        return
    idle(args.seconds)


if __name__ == "__main__":
    main()
