"""Cost of one SMTP-OUT watch poll that finds no mail connection, with 0 and 2,000 idle sockets,
against psutil.net_connections() measured in the same run (ratios, not absolute times: these
machines are noisy). A poll reads the kernel's count of outgoing connections (/proc/net/snmp,
microseconds) and walks the connection table (sock_diag with a port filter; the kernel walks its
whole hash table, about a millisecond per address family however few sockets exist) only when
a connection was made since the last look or a mail connection was open: both are shown, and
the share of a core for an idle PC and for one making 5 new connections a second. Then the wall time of `audit --only SMTP-OUT,SMTP-LISTEN,PROXY-OPEN`
against the wall time of starting the same interpreter with nothing to do.

    python bench/watch_poll.py [--sockets 2000] [--repeat 200]
"""

from __future__ import annotations

import argparse
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from checks.probes.mail_connections import MAIL_PORTS, ConnectionWatch  # noqa: E402
from checks.probes.sockets import LinuxTable  # noqa: E402


def idle_sockets(n: int) -> list[socket.socket]:
    """n sockets: n/2 connected pairs on loopback, on a port that is no mail port."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    server = socket.create_server(("127.0.0.1", 0), backlog=n)
    port = server.getsockname()[1]
    held = [server]
    for _ in range(n // 2):
        c = socket.create_connection(("127.0.0.1", port))
        s, _addr = server.accept()
        held += [c, s]
    return held


def per_call_ms(fn, repeat: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def wall_s(argv: list[str], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, cwd=ROOT, check=False)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sockets", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()

    print("one watch poll that finds no mail connection (median ms per call)")
    print(
        f"{'idle sockets':>14} {'idle poll':>10} {'table walk':>11} {'/proc walk':>11}"
        f" {'psutil':>9} {'psutil/idle':>12}"
    )

    class Changing:
        """A connection count that moves on every read: every poll walks the table."""

        def __init__(self):
            self.n = 0

        def read(self):
            self.n += 1
            return self.n

    held: list[socket.socket] = []
    for count in (0, args.sockets):
        if count:
            held = idle_sockets(count)
        watch = ConnectionWatch()
        poll = per_call_ms(watch.poll, args.repeat)
        walking = ConnectionWatch(opens=Changing())
        walk = per_call_ms(walking.poll, args.repeat)
        proc_watch = ConnectionWatch(opens=Changing())
        proc_watch._table = LinuxTable(remote_ports=MAIL_PORTS)
        proc_poll = per_call_ms(proc_watch.poll, max(10, args.repeat // 10))
        ps = per_call_ms(lambda: psutil.net_connections(kind="tcp"), max(10, args.repeat // 10))
        print(
            f"{count:>14} {poll:>10.3f} {walk:>11.3f} {proc_poll:>11.3f} {ps:>9.3f}"
            f" {ps / poll:>11.0f}x"
        )
        if count:
            # ms per call x calls per second / 1000 ms = share of one core
            busy = (15 * poll + 5 * walk) / 10
            print(
                f"{'':>14} at 20 polls/s: idle PC {poll * 2:.2f}% of a core; a PC making 5"
                f" connections a second {busy:.2f}%; psutil {ps * 2:.1f}% (goal: idle <= 1%)"
            )
    for s in held:
        s.close()

    print()
    print("wall time of the mail checks (median of 5 runs, s)")
    baseline = wall_s([sys.executable, "-c", "pass"])
    imports = wall_s([sys.executable, "-c", "import checks.registry, reports.console"])
    audit = wall_s(
        [sys.executable, "main.py", "audit", "--only", "SMTP-OUT,SMTP-LISTEN,PROXY-OPEN", "--json"]
    )
    print(f"  python -c pass (baseline)                     {baseline:.3f}")
    print(f"  import checks + reports                       {imports:.3f}")
    print(
        f"  audit --only SMTP-OUT,SMTP-LISTEN,PROXY-OPEN  {audit:.3f}"
        f"  ({audit / baseline:.1f}x baseline)"
    )


if __name__ == "__main__":
    main()
