"""Who opened each mail connection, from the kernel at the moment it happened (Linux, root).

A process that connects to port 25 and exits a millisecond later is gone before anyone can look
it up in /proc. The kernel's tracepoint ``sock:inet_sock_set_state`` fires in the connecting
process itself when its socket enters SYN_SENT, and records that process's id and name with
the destination; ``sched:sched_process_exec`` records the program file of every process as it
starts. Both are read from a tracefs instance of our own (nothing else on the machine is
disturbed, and nothing is compiled or loaded into the kernel): a text stream, one line per
event.

The socket's source port is not yet chosen at that moment, so a connection is matched to its
SYN packet by source address, destination and order (``take``): each SYN_SENT makes exactly one
first SYN, in the same order. What the kernel could not keep (its buffer overran) is counted, so
the recorder can write it as a gap in attribution.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

TRACEFS = (Path("/sys/kernel/tracing"), Path("/sys/kernel/debug/tracing"))
INSTANCE = "clearline-journal"
MAX_EXEC = 65536  # program files remembered, by process id
MAX_WAITING = 8192  # connections not yet matched to a packet
MATCH_WINDOW_S = 2.0

_STATE = re.compile(
    r"^\s*(?P<comm>.+?)-(?P<pid>\d+)\s+(?:\(\s*(?P<tgid>[\d-]+)\))?\s*\[\d+\]\s+\S+\s+"
    r"(?P<ts>\d+\.\d+):\s+inet_sock_set_state:\s+family=(?P<family>\w+)\s+protocol=\w+\s+"
    r"sport=\d+\s+dport=(?P<dport>\d+)\s+saddr=(?P<saddr>[\d.]+)\s+daddr=(?P<daddr>[\d.]+)\s+"
    r"saddrv6=(?P<saddr6>[0-9a-f:.]+)\s+daddrv6=(?P<daddr6>[0-9a-f:.]+)"
)
_FORK = re.compile(
    r"sched_process_fork:\s+comm=.*?\s+pid=(?P<parent>\d+)\s+child_comm=.*?\s+child_pid=(?P<child>\d+)"
)
_EXEC = re.compile(
    r"^\s*.+?-\d+\s+(?:\(\s*[\d-]+\))?\s*\[\d+\]\s+\S+\s+\d+\.\d+:\s+sched_process_exec:\s+"
    r"filename=(?P<filename>.*)\s+pid=(?P<pid>\d+)\s+old_pid=\d+\s*$"
)


@dataclass(frozen=True)
class Opener:
    pid: int
    tgid: int
    comm: str
    exe: str | None
    mono_s: float
    facts: dict | None = None  # the process as /proc showed it right then (None: gone already)


def tracefs() -> Path | None:
    for path in TRACEFS:
        if (path / "instances").is_dir():
            return path
    with contextlib.suppress(OSError):
        os.makedirs(TRACEFS[0], exist_ok=True)
        if os.system(f"mount -t tracefs nodev {TRACEFS[0]} 2>/dev/null") == 0:
            return TRACEFS[0]
    return None


class ConnectTracer:
    """The tracefs instance, its reader thread, and the connections waiting for their packet."""

    def __init__(self, ports: tuple[int, ...], describe=None):
        root = tracefs()
        if root is None or os.geteuid() != 0:
            raise OSError("the kernel's tracing file system is not available to this process")
        self.dir = root / "instances" / INSTANCE
        with contextlib.suppress(FileExistsError):
            self.dir.mkdir()
        self.ports = ports
        # (tgid, comm, exe) -> facts about the live process, looked up as soon as the kernel
        # reports the connection: a process that lives a few milliseconds is often still there.
        self.describe = describe
        self.lock = threading.Lock()
        self.waiting: dict[tuple[str, str, int], deque[Opener]] = {}
        self.exec_of: OrderedDict[int, str] = OrderedDict()
        self.overruns = 0
        self.lines = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._configure()

    def _write(self, name: str, value: str) -> None:
        (self.dir / name).write_text(value)

    def _configure(self) -> None:
        self._write("tracing_on", "0")
        with contextlib.suppress(OSError):
            self._write("trace_clock", "mono")
        with contextlib.suppress(OSError):
            self._write("options/record-tgid", "1")
        with contextlib.suppress(OSError):
            self._write("buffer_size_kb", "4096")
        ports = " || ".join(f"dport == {p}" for p in self.ports)
        self._write("events/sock/inet_sock_set_state/filter", f"newstate == 2 && ({ports})")
        self._write("events/sock/inet_sock_set_state/enable", "1")
        for event in ("sched_process_exec", "sched_process_fork"):
            # Every program file as it starts, and what a forked child inherits (a child that
            # never calls exec runs its parent's file).
            with contextlib.suppress(OSError):
                self._write(f"events/sched/{event}/enable", "1")
        self._write("trace", "")  # start from an empty buffer
        self._write("tracing_on", "1")

    def start(self) -> ConnectTracer:
        self._thread = threading.Thread(target=self._read, name="journal-tracer", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        fd = os.open(self.dir / "trace_pipe", os.O_RDONLY | os.O_NONBLOCK)
        buffer = b""
        try:
            while not self._stop.is_set():
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    chunk = b""
                if not chunk:
                    time.sleep(0.005)
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    self.feed(line.decode("utf-8", "replace"))
        finally:
            os.close(fd)

    def feed(self, line: str) -> None:
        """One line of trace output (public for tests: the format is the kernel's)."""
        self.lines += 1
        m = _STATE.match(line)
        if m is not None:
            pid = int(m.group("pid"))
            tgid = int(m.group("tgid")) if m.group("tgid") and m.group("tgid") != "-" else pid
            v6 = m.group("family") == "AF_INET6"
            src = m.group("saddr6") if v6 else m.group("saddr")
            dst = m.group("daddr6") if v6 else m.group("daddr")
            with self.lock:
                exe = self.exec_of.get(tgid) or self.exec_of.get(pid)
            comm = m.group("comm").strip()
            facts = self.describe(tgid, comm, exe) if self.describe else None
            opener = Opener(pid, tgid, comm, exe, float(m.group("ts")), facts)
            key = (_norm(src), _norm(dst), int(m.group("dport")))
            with self.lock:
                queue = self.waiting.setdefault(key, deque())
                queue.append(opener)
                if sum(len(q) for q in self.waiting.values()) > MAX_WAITING:
                    queue.popleft()
            return
        m = _EXEC.match(line)
        if m is not None:
            self._remember(int(m.group("pid")), m.group("filename").strip())
            return
        f = _FORK.search(line)
        if f is not None:
            with self.lock:
                parent = self.exec_of.get(int(f.group("parent")))
            if parent is None:
                with contextlib.suppress(OSError):
                    parent = os.readlink(f"/proc/{f.group('parent')}/exe")
            if parent:
                self._remember(int(f.group("child")), parent)

    def _remember(self, pid: int, filename: str) -> None:
        with self.lock:
            self.exec_of[pid] = filename
            self.exec_of.move_to_end(pid)
            while len(self.exec_of) > MAX_EXEC:
                self.exec_of.popitem(last=False)

    def take(self, src: str, dst: str, dport: int, at_mono: float) -> Opener | None:
        """The process that opened the connection whose first SYN left at ``at_mono`` (the
        monotonic clock) from ``src`` to ``dst``:``dport``: the oldest opener not yet matched
        that came before it; older ones never sent their SYN (a failed route) and are
        dropped. None when the kernel has reported none (yet)."""
        with self.lock:
            queue = self.waiting.get((_norm(src), _norm(dst), dport))
            while queue and queue[0].mono_s < at_mono - MATCH_WINDOW_S:
                queue.popleft()
            if queue and queue[0].mono_s <= at_mono + 0.001:
                return queue.popleft()
            return None

    def lost(self) -> int:
        """Events the kernel dropped since the start (its buffer was full)."""
        total = 0
        for stats in self.dir.glob("per_cpu/cpu*/stats"):
            with contextlib.suppress(OSError, ValueError):
                for row in stats.read_text().splitlines():
                    if row.startswith("overrun:"):
                        total += int(row.split(":", 1)[1])
        return total

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        for name, value in (
            ("tracing_on", "0"),
            ("events/sock/inet_sock_set_state/enable", "0"),
            ("events/sched/sched_process_exec/enable", "0"),
            ("events/sched/sched_process_fork/enable", "0"),
        ):
            with contextlib.suppress(OSError):
                self._write(name, value)
        with contextlib.suppress(OSError):
            self.dir.rmdir()


def _norm(addr: str) -> str:
    """The same address as the packet decoder writes it (IPv4-mapped IPv6 as IPv4)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ip)
