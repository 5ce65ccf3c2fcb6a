"""The journal's recorder (`main.py journal run`): in the foreground until SIGTERM or Ctrl-C.

Two ways to see mail connections, behind one interface (``events(timeout)``):

- ``PacketSource`` (Linux, root): the capture's AF_PACKET socket with a kernel filter that
  passes only the first packet of a connection to a mail port (SYN without ACK) and DNS
  queries, so an idle machine wakes the recorder only for its heartbeat. Each attempt is
  attributed at once through sock_diag while the socket is still opening, as the capture does.
- ``PollSource`` (no root, Windows, macOS): the connection watch at a low rate. A connection
  that opens and closes between two looks is missed, so its coverage is recorded as partial,
  and MX lookups are not seen at all.

Records are written in batches at least once a second (kill -9 loses at most that second), a
heartbeat every minute, an alert at once."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journal import coverage as C
from journal.coverage import believed_mail_server
from journal.store import ALERT, CONNECT, HEARTBEAT, MX, PROBLEM, START, STOP, Journal

VERSION = 1
MAIL_PORTS = C.MAIL_PORTS
DNS_MX = 15
PACKET_OUTGOING = 4
POLL_INTERVAL_S = 0.5
FLUSH_S = 1.0
PRUNE_EVERY_S = 3600.0
KEEP_DAYS = 90.0
ALERT_REPEAT_S = 3600.0
MAX_PENDING = 200_000  # records held in memory while the disk refuses them


def clocks() -> dict[str, Any]:
    """The monotonic clock beside the wall clock: a step of the wall clock between two records
    shows as a difference between them (journal/coverage.py)."""
    boot = ""
    with contextlib.suppress(OSError):
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    return {"mono_us": time.monotonic_ns() // 1000, "boot_id": boot}


_ports = " or ".join(f"tcp dst port {p}" for p in MAIL_PORTS)
# Only the opening packet of an outgoing mail connection (SYN, no ACK; for IPv6 the flags byte
# without extension headers) and DNS queries reach the recorder.
JOURNAL_FILTER = (
    f"(({_ports}) and ((ip and tcp[13] & 0x12 == 0x02) or (ip6 and ip6[53] & 0x12 == 0x02)))"
    " or (udp dst port 53)"
)


@dataclass
class Event:
    kind: str  # CONNECT or MX
    ts_us: int
    data: dict[str, Any] = field(default_factory=dict)


# Facts kept about a program: who it is (pid, start time, name, program file, user, parent),
# not what it was told (no command line). Kept short: it is repeated in every record.
def program_record(facts: dict | None) -> dict | None:
    if not facts:
        return None
    out = {k: facts.get(k) for k in ("pid", "started", "name", "exe", "user", "kind")}
    parents = facts.get("parents") or []
    if parents and isinstance(parents[0], dict):
        out["parent"] = f"{parents[0].get('name')} ({parents[0].get('pid')})"
    if facts.get("location"):
        out["location"] = list(facts["location"])
    if facts.get("exe_exists") is False:
        out["exe_exists"] = False  # the program's file was deleted after it started
    if "exe_verified" in facts:
        out["exe_verified"] = facts["exe_verified"]
    return out


def packet_event(ip: bytes, ts_us: int) -> tuple[Event, tuple] | None:
    """The event an outgoing packet stands for, and the key to attribute it by; None for a
    packet that is neither a mail connection's first packet nor an MX query."""
    from checks.packet import dns_question, ntop, parse_ip

    parsed = parse_ip(ip)
    if parsed is None:
        return None
    src, dst, proto, sport, dport = parsed.src, parsed.dst, parsed.proto, parsed.sport, parsed.dport
    flags, offset = parsed.flags, parsed.offset
    if proto == 6 and dport in MAIL_PORTS and flags & 0x12 == 0x02:
        data = {"local": ntop(src), "lport": sport, "remote": ntop(dst), "rport": dport}
        # The SYN's sequence number tells a retransmission (the same) from a new connection
        # that reuses the ports (refused connections free them at once).
        return Event(CONNECT, ts_us, data), ("tcp", (src, sport, dst, dport), parsed.seq)
    if proto == 17 and dport == 53:
        question = dns_question(ip[offset:])
        if question is None:
            return None
        is_response, name, qtype = question
        if is_response or qtype != DNS_MX:
            return None
        data = {"name": name, "server": ntop(dst), "lport": sport}
        return Event(MX, ts_us, data), ("udp", (src, sport), 0)
    return None


ATTRIBUTION_WAIT_S = 0.3  # how long a connection may wait for the kernel's word on its program


class PacketSource:
    """Packets as root on Linux. Each record is made from the packet itself, with the kernel's
    time of it; who sent it comes from the kernel's connect tracepoint (exact for a process
    that lives a millisecond: journal/tracer.py), else from sock_diag and /proc while the
    socket lives. A connection waits at most ATTRIBUTION_WAIT_S for that, never a record."""

    mode = C.CAPTURE

    def __init__(self, iface: str | None = None):
        from checks.probes.capture import Attributor, LinuxSource

        self.source = LinuxSource(iface, JOURNAL_FILTER, stamps=True)
        self.attributor = Attributor()
        self.seen: dict[tuple, float] = {}  # a retransmitted SYN is not a second attempt
        self.notes: dict[str, Any] = {"mx": True, "iface": iface or "all"}
        self.tracer = None
        try:
            from journal.tracer import ConnectTracer

            self.tracer = ConnectTracer(MAIL_PORTS, describe=live_facts).start()
            self.notes["attribution"] = "tracepoint"
        except OSError as exc:
            self.notes["attribution"] = "sock_diag"
            self.notes["tracer_problem"] = str(exc)
        self.waiting: list[tuple[Event, tuple, float, float]] = []  # event, key, mono, deadline
        self.offset = time.time() - time.monotonic()

    def events(self, timeout: float) -> list[Event]:
        deadline = time.monotonic() + timeout
        ready: list[Event] = []
        wait = timeout
        while True:
            got = self.source.read(max(0.0, wait))
            if got is None:
                break
            self._packet(got, ready)
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
        ready += self._resolve(final=False)
        if len(self.seen) > 10000:
            cutoff = time.monotonic() - 30
            self.seen = {k: t for k, t in self.seen.items() if t >= cutoff}
        return ready

    def _packet(self, got, ready: list[Event]) -> None:
        ip, pkttype, _hatype, _addr, _ethertype = got
        if pkttype != PACKET_OUTGOING:
            return
        ns = self.source.last_time_ns or time.time_ns()
        found = packet_event(ip, ns // 1000)
        if found is None:
            return
        event, key = found
        if event.kind == CONNECT:
            if time.monotonic() - self.seen.get(key, -1e9) < 30:
                return
            self.seen[key] = time.monotonic()
            mono = ns / 1e9 - self.offset
            if self._from_tracer(event, mono):
                ready.append(event)
            else:
                self.waiting.append((event, key, mono, time.monotonic() + ATTRIBUTION_WAIT_S))
            return
        # An MX lookup's socket lives until its answer (milliseconds): look it up now.
        self._from_sockets(event, key)
        ready.append(event)

    def _from_tracer(self, event: Event, mono: float) -> bool:
        if self.tracer is None:
            return False
        d = event.data
        opener = self.tracer.take(d["local"], d["remote"], d["rport"], mono)
        if opener is None:
            return False
        d["program"] = opener_record(opener)
        d["attributed_by"] = "tracepoint"
        return True

    def _from_sockets(self, event: Event, key: tuple) -> None:
        self.attributor.attribute(key[:2])
        owner = self.attributor.owners.pop(key[1], None)
        event.data["program"] = program_record(owner)
        if owner is None:
            event.data["owner_problem"] = "ended"
        else:
            event.data["attributed_by"] = "sock_diag"

    def _resolve(self, final: bool) -> list[Event]:
        """Connections whose program the kernel has now named, or whose wait is over."""
        out, still = [], []
        now = time.monotonic()
        for event, key, mono, until in self.waiting:
            if self._from_tracer(event, mono):
                out.append(event)
            elif final or now >= until:
                self._from_sockets(event, key)
                out.append(event)
            else:
                still.append((event, key, mono, until))
        self.waiting = still
        return out

    def drain(self) -> list[Event]:
        """Everything the kernel queued before the stop, then every connection still waiting."""
        ready: list[Event] = []
        for _ in range(100_000):
            got = self.source.read(0.0)
            if got is None:
                break
            self._packet(got, ready)
        time.sleep(0.05 if self.waiting else 0)
        return ready + self._resolve(final=True)

    def drops(self) -> int:
        lost = self.tracer.lost() if self.tracer is not None else 0
        return self.source.drops() + lost

    def close(self) -> None:
        if self.tracer is not None:
            self.tracer.close()
        self.source.close()


def live_facts(pid: int, comm: str, exe: str | None = None) -> dict[str, Any] | None:
    """The program record of a live process, when it is still the one the kernel named."""
    from checks import programs
    from checks.model import current_platform
    from checks.probes import processes

    info = processes.describe(pid)
    if info is None or info.name[:15] != comm[:15]:
        return None
    program = programs.classify(
        info.name, info.exe, current_platform(), info.exe_exists, info.exe_verified
    )
    record = program_record(programs.program_facts(info, program)) or {}
    return {**record, "exe_verified": info.exe_verified}


def opener_record(opener) -> dict[str, Any]:
    """The program the kernel named at connect time: the live process's full facts (looked up
    as the kernel reported it, or now), else what the kernel kept (pid, name, program file),
    unverified."""
    from checks import programs
    from checks.model import current_platform

    facts = opener.facts or live_facts(opener.tgid, opener.comm, opener.exe)
    if facts:
        if not facts.get("exe") and opener.exe:
            # Looked up while exiting: /proc still showed the process, no longer its file. The
            # file the kernel's fork and exec events named fills the gap, unverified.
            program = programs.classify(
                facts.get("name") or opener.comm, opener.exe, current_platform()
            )
            facts = {**facts, "exe": opener.exe, "kind": program.kind, "exe_verified": None}
            if program.reasons:
                facts["location"] = list(program.reasons)
        return facts
    program = programs.classify(opener.comm, opener.exe, current_platform())
    return {
        "pid": opener.tgid,
        "name": opener.comm,
        "exe": opener.exe,
        "kind": program.kind,
        "location": list(program.reasons),
        "exe_verified": None,  # gone before it could be checked: not believed as a mail server
        "ended": True,
    }


class PollSource:
    """The connection watch a few times a second: what is open at each look."""

    mode = C.POLL

    def __init__(self, watch=None, interval: float = POLL_INTERVAL_S, reason: str = ""):
        from checks.model import current_platform
        from checks.probes.mail_connections import ConnectionWatch

        platform = current_platform()
        self.watch = watch or ConnectionWatch(
            platform=platform, admin=_is_admin(), use_proc=None if platform == "linux" else False
        )
        self.interval = interval
        self.known: set[tuple] = set()
        self.notes: dict[str, Any] = {"mx": False, "interval_s": interval, "why": reason}

    def events(self, timeout: float) -> list[Event]:
        time.sleep(min(timeout, self.interval))
        self.watch.poll()
        out: list[Event] = []
        stale = time.time() - 120
        for key, obs in list(self.watch.observations.items()):
            if obs.last_seen.timestamp() < stale:
                # Long closed: forget it (a resident recorder must not grow without end).
                del self.watch.observations[key]
                self.known.discard(key)
                continue
            if key in self.known:
                continue
            self.known.add(key)
            owner = None
            if obs.owner is not None:
                from checks import programs

                info = obs.owner
                owner = programs.program_facts(
                    info,
                    programs.classify(
                        info.name, info.exe, self.watch.platform, info.exe_exists, info.exe_verified
                    ),
                )
            data = {
                "local": obs.laddr,
                "lport": obs.lport,
                "remote": obs.raddr,
                "rport": obs.rport,
                "states": list(obs.states),
                "program": program_record(owner),
            }
            if owner is None:
                data["owner_problem"] = obs.owner_problem or "ended"
            out.append(Event(CONNECT, int(obs.first_seen.timestamp() * 1e6), data))
        return out

    def drops(self) -> int:
        return 0

    def close(self) -> None:
        pass


def _is_admin() -> bool:
    if os.name == "nt":
        try:
            import ctypes

            return bool(ctypes.windll.shell32.IsUserAnAdmin())
        except (AttributeError, OSError):
            return False
    return os.geteuid() == 0


def open_source(prefer: str = "auto", iface: str | None = None):
    """The best source this process may open: packets as root on Linux, else polling (with
    the reason written into the start record)."""
    if prefer in ("auto", "capture") and sys.platform.startswith("linux"):
        from checks.probes.capture import CaptureError

        try:
            return PacketSource(iface)
        except CaptureError as exc:
            if prefer == "capture":
                raise
            return PollSource(reason=f"{exc.reason}" + (f" ({exc.how})" if exc.how else ""))
    reason = "" if prefer == "poll" else "packet capture is not implemented on this system"
    return PollSource(reason=reason)


def alert_worthy(event: Event) -> bool:
    """An unknown program sending to port 25: what a bot does and a mail client does not."""
    if event.kind != CONNECT or event.data.get("rport") != 25:
        return False
    return not believed_mail_server(event.data.get("program") or {})


def desktop_notify(title: str, body: str) -> bool:
    """A desktop notification where one can be shown (a recorder running as a system service
    has no desktop: the window shows alerts from the journal instead)."""
    tool = shutil.which("notify-send")
    if tool is None or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        subprocess.run([tool, "--urgency=critical", title, body], timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


class Recorder:
    def __init__(
        self,
        path: str | Path,
        source,
        *,
        heartbeat_s: float = C.HEARTBEAT_S,
        flush_s: float = FLUSH_S,
        keep_days: float = KEEP_DAYS,
        notify: Callable[[str, str], bool] | None = desktop_notify,
    ):
        self.path = Path(path)
        self.source = source
        self.heartbeat_s = heartbeat_s
        self.flush_s = flush_s
        self.keep_days = keep_days
        self.notify = notify
        self.events_written = 0
        self.alerted: dict[str, float] = {}
        self.problem: tuple[str, float] | None = None  # a write that failed, and since when
        self.on_problem: Callable[[str | None], None] | None = None

    def run(self, stop: threading.Event, on_start: Callable[[dict], None] | None = None) -> int:
        from checks.model import current_platform
        from journal.heads import HeadLog
        from journal.store import lock_for_writing

        lock = lock_for_writing(self.path)  # a second recorder, however it names the file
        journal = Journal(self.path)
        self.heads = HeadLog(self.path)
        try:
            pruned = journal.prune(self.keep_days)
            start = journal.append(
                START,
                {
                    "mode": self.source.mode,
                    "platform": current_platform(),
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "version": VERSION,
                    "heartbeat_s": self.heartbeat_s,
                    "pruned_at_start": pruned,
                    **clocks(),
                    **self.source.notes,
                },
            )
            self._head(journal)
            if on_start:
                on_start({"run": start.seq, "mode": self.source.mode, **self.source.notes})
            self._loop(journal, start.seq, stop)
        finally:
            journal.close()
            self.heads.close()
            self.source.close()
            lock.close()
        return self.events_written

    def _head(self, journal: Journal) -> None:
        """The newest record's number and hash, written outside the database too."""
        seq, digest = journal.last()
        last = journal.db.execute("SELECT ts FROM records WHERE seq = ?", (seq,)).fetchone()
        self.heads.write(seq, digest, int(last[0]) if last else 0)

    def _write(self, journal: Journal, pending: list) -> bool:
        """Commit what is pending; on a full disk (or any write failure) keep it, say so once
        and go on recording: the next flush tries again."""
        import sqlite3

        try:
            journal.append_many(pending)
        except sqlite3.OperationalError as exc:
            if self.problem is None:
                self.problem = (str(exc), time.time())
                print(
                    f"journal: cannot write ({exc}); still recording, will retry", file=sys.stderr
                )
                if self.on_problem:
                    self.on_problem(str(exc))
            return False
        if self.problem is not None:
            what, since = self.problem
            self.problem = None
            if self.on_problem:
                self.on_problem(None)
            try:
                journal.append_many(
                    [
                        (
                            PROBLEM,
                            {"problem": what, "since_us": int(since * 1e6)},
                            pending[0][2],
                            None,
                        )
                    ]
                )
            except sqlite3.OperationalError:
                pass
        return True

    def _loop(self, journal: Journal, run: int, stop: threading.Event) -> None:
        pending: list[tuple[str, dict, int, int | None]] = []
        last_flush = last_beat = last_prune = time.monotonic()
        beat_pending = False
        while not stop.is_set():
            urgent = False
            due = last_beat + self.heartbeat_s - time.monotonic()
            for event in self.source.events(max(0.0, min(0.5, self.flush_s, due))):
                urgent |= self._take(event, pending, run)
            now = time.monotonic()
            if now - last_beat >= self.heartbeat_s:
                pending.append((HEARTBEAT, self._beat_data(), run, None))
                last_beat, beat_pending = now, True
            if pending and (urgent or now - last_flush >= self.flush_s):
                if self._write(journal, pending):
                    if urgent:
                        self._tell(pending)
                    if beat_pending:
                        self._head(journal)
                        beat_pending = False
                    pending = []
                elif len(pending) > MAX_PENDING:
                    del pending[: len(pending) - MAX_PENDING]
                last_flush = now
            if now - last_prune >= PRUNE_EVERY_S:
                with contextlib.suppress(Exception):
                    journal.prune(self.keep_days)
                last_prune = now
        drain = getattr(self.source, "drain", None)
        for event in drain() if drain else []:
            self._take(event, pending, run)
        pending.append((STOP, {"events": self.events_written, **clocks()}, run, None))
        if self._write(journal, pending):
            self._head(journal)

    def _take(self, event: Event, pending: list, run: int) -> bool:
        pending.append((event.kind, event.data, run, event.ts_us))
        self.events_written += 1
        if alert_worthy(event) and self._new_alert(event):
            pending.append((ALERT, {"event": event.data, "reason": "port25"}, run, None))
            return True
        return False

    def _beat_data(self) -> dict[str, Any]:
        data = {
            "mode": self.source.mode,
            "heartbeat_s": self.heartbeat_s,
            "drops": self.source.drops(),
            **clocks(),
        }
        if "interval_s" in self.source.notes:
            data["interval_s"] = self.source.notes["interval_s"]
        return data

    def _new_alert(self, event: Event) -> bool:
        program = event.data.get("program") or {}
        who = str(program.get("exe") or program.get("name") or "?")
        last = self.alerted.get(who, -1e9)
        if time.monotonic() - last < ALERT_REPEAT_S:
            return False
        self.alerted[who] = time.monotonic()
        return True

    def _tell(self, written: list[tuple[str, dict, int, int | None]]) -> None:
        if self.notify is None:
            return
        for kind, data, _run, _ts in written:
            if kind != ALERT:
                continue
            event = data["event"]
            program = (event.get("program") or {}).get("name") or "?"
            self.notify(
                "Clearline",
                f"{program} connected to a mail server ({event.get('remote')}:25)."
                " Open Clearline to see what to do.",
            )
