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
from journal.store import ALERT, CONNECT, HEARTBEAT, MX, START, STOP, Journal, now_us

VERSION = 1
MAIL_PORTS = C.MAIL_PORTS
DNS_MX = 15
PACKET_OUTGOING = 4
POLL_INTERVAL_S = 0.5
FLUSH_S = 1.0
PRUNE_EVERY_S = 3600.0
KEEP_DAYS = 90.0
ALERT_REPEAT_S = 3600.0

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
        return Event(CONNECT, ts_us, data), ("tcp", (src, sport, dst, dport))
    if proto == 17 and dport == 53:
        question = dns_question(ip[offset:])
        if question is None:
            return None
        is_response, name, qtype = question
        if is_response or qtype != DNS_MX:
            return None
        data = {"name": name, "server": ntop(dst), "lport": sport}
        return Event(MX, ts_us, data), ("udp", (src, sport))
    return None


class PacketSource:
    mode = C.CAPTURE

    def __init__(self, iface: str | None = None):
        from checks.probes.capture import Attributor, LinuxSource

        self.source = LinuxSource(iface, JOURNAL_FILTER)
        self.attributor = Attributor()
        self.seen: dict[tuple, float] = {}  # a retransmitted SYN is not a second attempt
        self.notes: dict[str, Any] = {"mx": True, "iface": iface or "all"}

    def events(self, timeout: float) -> list[Event]:
        out: list[Event] = []
        deadline = time.monotonic() + timeout
        wait = timeout
        while True:
            got = self.source.read(max(0.0, wait))
            if got is None:
                break
            ip, pkttype, _hatype, _addr, _ethertype = got
            if pkttype != PACKET_OUTGOING:
                continue
            found = packet_event(ip, now_us())
            if found is None:
                continue
            event, key = found
            if event.kind == CONNECT:
                if time.monotonic() - self.seen.get(key, -1e9) < 30:
                    continue
                self.seen[key] = time.monotonic()
            self.attributor.attribute(key)
            owner = self.attributor.owners.pop(key[1], None)
            event.data["program"] = program_record(owner)
            if owner is None:
                event.data["owner_problem"] = "ended"
            out.append(event)
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
        if len(self.seen) > 10000:
            cutoff = time.monotonic() - 30
            self.seen = {k: t for k, t in self.seen.items() if t >= cutoff}
        return out

    def drops(self) -> int:
        return self.source.drops()

    def close(self) -> None:
        self.source.close()


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
    program = event.data.get("program") or {}
    return program.get("kind") != "mail_server" or bool(program.get("location"))


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

    def run(self, stop: threading.Event, on_start: Callable[[dict], None] | None = None) -> int:
        from checks.model import current_platform

        journal = Journal(self.path)
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
                    **self.source.notes,
                },
            )
            if on_start:
                on_start({"run": start.seq, "mode": self.source.mode, **self.source.notes})
            self._loop(journal, start.seq, stop)
        finally:
            journal.close()
            self.source.close()
        return self.events_written

    def _loop(self, journal: Journal, run: int, stop: threading.Event) -> None:
        pending: list[tuple[str, dict, int, int | None]] = []
        last_flush = last_beat = last_prune = time.monotonic()
        while not stop.is_set():
            urgent = False
            due = last_beat + self.heartbeat_s - time.monotonic()
            for event in self.source.events(max(0.0, min(0.5, self.flush_s, due))):
                pending.append((event.kind, event.data, run, event.ts_us))
                self.events_written += 1
                if alert_worthy(event) and self._new_alert(event):
                    pending.append((ALERT, {"event": event.data, "reason": "port25"}, run, None))
                    urgent = True
            now = time.monotonic()
            if now - last_beat >= self.heartbeat_s:
                pending.append(
                    (
                        HEARTBEAT,
                        {
                            "mode": self.source.mode,
                            "heartbeat_s": self.heartbeat_s,
                            "drops": self.source.drops(),
                            **(
                                {"interval_s": self.source.notes["interval_s"]}
                                if "interval_s" in self.source.notes
                                else {}
                            ),
                        },
                        run,
                        None,
                    )
                )
                last_beat = now
            if pending and (urgent or now - last_flush >= self.flush_s):
                journal.append_many(pending)
                if urgent:
                    self._tell(pending)
                pending = []
                last_flush = now
            if now - last_prune >= PRUNE_EVERY_S:
                journal.prune(self.keep_days)
                last_prune = now
        pending.append((STOP, {"events": self.events_written}, run, None))
        journal.append_many(pending)

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
