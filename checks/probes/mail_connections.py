"""Watch this machine's mail connections over time and say who made each one.

A bot sends in bursts of short connections that one snapshot misses, so the watch polls several
times a second. Each connection (its address/port 4-tuple) is recorded once with the states it
was seen in, first and last seen, and its owner identified by pid *and* start time, so a pid reused
after a process ends is never blamed for what the old process did.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from checks.probes import processes, sockdiag, sockets
from checks.probes.processes import ProcessInfo

MAIL_PORTS = (25, 465, 587, 2525)

# Why a connection has no owner.
OWNER_ENDED = "ended"  # closed (TIME_WAIT) or the program exited before we could look
OWNER_HIDDEN = "hidden"  # owned by a process we may not inspect without admin rights


@dataclass
class Observation:
    laddr: str
    lport: int
    raddr: str
    rport: int
    first_seen: datetime
    last_seen: datetime
    states: list[str] = field(default_factory=list)
    owner: ProcessInfo | None = None
    owner_problem: str | None = None
    inode: int = 0

    def as_facts(self) -> dict:
        return {
            "local": f"{self.laddr}:{self.lport}",
            "remote_ip": self.raddr,
            "remote_port": self.rport,
            "states": list(self.states),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "owner": self.owner,
            "owner_problem": self.owner_problem,
        }


@dataclass
class WatchFacts:
    """What the watch (or a single snapshot) observed: the interpreter's input."""

    platform: str
    started: datetime
    ended: datetime
    polls: int
    observations: list[Observation]
    complete: bool = True  # the whole connection table was visible
    incomplete_reason: str | None = None
    admin: bool = False


def _now() -> datetime:
    return datetime.now().astimezone()


class ConnectionWatch:
    """Polls the connection table; call ``poll()`` repeatedly, then read ``facts()``."""

    def __init__(
        self,
        ports: tuple[int, ...] = MAIL_PORTS,
        *,
        use_proc: bool | None = None,
        describe: Callable[[int], ProcessInfo | None] = processes.describe,
        platform: str = "linux",
        admin: bool = False,
        read_table: Callable[[], sockets.SocketTable] | None = None,
        opens=None,
    ):
        self.ports = frozenset(ports)
        self.use_proc = sockets.proc_available() if use_proc is None else use_proc
        self._read_table = read_table or sockets.psutil_table
        self._table = sockdiag.linux_reader(remote_ports=ports) if self.use_proc else None
        # Linux: the connection table is walked only when a connection was made since the last
        # look, or a mail connection was open then (to follow it); else a 6 µs counter says
        # nothing new exists. `opens` may be given (tests); None: always walk.
        self._opens = (
            (opens if opens is not None else sockets.ActiveOpens.open())
            if (self.use_proc)
            else None
        )
        self._last_opens: int | None = None
        self._live = True  # walk on the first poll
        self.walks = 0
        self._describe = describe
        self.platform = platform
        self.admin = admin
        self.observations: dict[tuple, Observation] = {}
        self._by_inode: dict[int, tuple[ProcessInfo | None, str | None]] = {}
        self._owner_pids: dict[int, float | None] = {}  # pid -> create_time of owners seen
        self.polls = 0
        self.started = _now()
        self.complete = True
        self.incomplete_reason: str | None = None

    # -- reading --------------------------------------------------------------------------
    def _read(self) -> sockets.SocketTable:
        if self._table is not None:
            return self._table.read()
        table = self._read_table()
        wanted = tuple(s for s in table.sockets if s.rport in self.ports and s.state != "LISTEN")
        return sockets.SocketTable(wanted, table.complete, table.reason)

    def poll(self) -> int:
        """One look at the table; returns how many mail connections exist right now."""
        if self._opens is not None:
            count = self._opens.read()
            if count is not None and count == self._last_opens and not self._live:
                self.polls += 1  # no connect() since a look that found no mail connection
                return 0
            self._last_opens = count
        table = self._read()
        self.walks += 1
        now = _now()
        self.polls += 1
        if not table.complete:
            self.complete = False
            self.incomplete_reason = table.reason
        unresolved: list[Observation] = []
        for sock in table.sockets:
            obs = self.observations.get(sock.key)
            if obs is None:
                obs = Observation(sock.laddr, sock.lport, sock.raddr, sock.rport, now, now)
                self.observations[sock.key] = obs
            obs.last_seen = now
            if not obs.states or obs.states[-1] != sock.state:
                obs.states.append(sock.state)
            if obs.owner is not None:
                continue
            if self.use_proc:
                if sock.inode:
                    obs.inode = sock.inode
                    unresolved.append(obs)
                elif obs.owner_problem is None:
                    obs.owner_problem = OWNER_ENDED
            else:
                self._attribute_pid(obs, sock.pid)
        if unresolved:
            self._attribute_inodes(unresolved)
        self._live = bool(table.sockets)
        return len(table.sockets)

    # -- attribution ----------------------------------------------------------------------
    def _identify(self, pid: int) -> ProcessInfo | None:
        info = self._describe(pid)
        if info is not None:
            self._owner_pids[pid] = info.create_time
        return info

    def _attribute_pid(self, obs: Observation, pid: int | None) -> None:
        closed = bool(obs.states) and obs.states[-1] == "TIME_WAIT"
        if pid == 0 or (pid is None and closed):
            # Windows reports closed (TIME_WAIT) connections with pid 0: the program is gone,
            # which administrator rights would not change. pid 0 is never a real owner.
            obs.owner_problem = OWNER_ENDED
            return
        if pid is None:
            obs.owner_problem = OWNER_HIDDEN if not self.admin else OWNER_ENDED
            return
        obs.owner = self._identify(pid)
        obs.owner_problem = None if obs.owner else OWNER_ENDED

    def _attribute_inodes(self, pending: list[Observation]) -> None:
        todo = {o.inode for o in pending if o.inode not in self._by_inode}
        if todo:
            owners, denied = sockets.find_inode_owners(todo, hints=list(self._owner_pids))
            for inode in todo:
                pid = owners.get(inode)
                if pid is not None:
                    info = self._identify(pid)
                    self._by_inode[inode] = (info, None if info else OWNER_ENDED)
                elif denied:
                    self._by_inode[inode] = (None, OWNER_HIDDEN)
                    self.complete = False
                    self.incomplete_reason = (
                        "some connections belong to programs that only an administrator may inspect"
                    )
                else:
                    self._by_inode[inode] = (None, OWNER_ENDED)
        for obs in pending:
            obs.owner, obs.owner_problem = self._by_inode[obs.inode]

    # -- results --------------------------------------------------------------------------
    def facts(self) -> WatchFacts:
        return WatchFacts(
            platform=self.platform,
            started=self.started,
            ended=_now(),
            polls=self.polls,
            observations=list(self.observations.values()),
            complete=self.complete,
            incomplete_reason=self.incomplete_reason,
            admin=self.admin,
        )


BASE_INTERVAL = 0.05  # 20 polls a second while nothing happens
BURST_INTERVAL = 0.01  # 100 a second for a while after a new mail connection appears
BURST_HOLD = 5.0


def watch(
    seconds: float,
    *,
    interval: float | None = None,
    keep_going: Callable[[float], bool] = lambda s: (time.sleep(s), True)[1],
    **kwargs,
) -> WatchFacts:
    """Poll for ``seconds`` (0 = one snapshot). ``keep_going(delay)`` sleeps and says whether to
    continue (a check passes its context's cancellable sleep).

    Bots send in bursts of short sessions: after a new mail connection appears, polling speeds up
    for a few seconds so the next sessions of the burst are caught while their owner still holds
    them. A quiet machine is polled at the cheap base rate."""
    w = ConnectionWatch(**kwargs)
    base = interval if interval is not None else (BASE_INTERVAL if w.use_proc else 0.25)
    burst = min(base, BURST_INTERVAL) if w.use_proc else base
    deadline = time.monotonic() + max(0.0, seconds)
    seen = 0
    last_new = -1e9
    while True:
        w.poll()
        now = time.monotonic()
        if len(w.observations) != seen:
            seen, last_new = len(w.observations), now
        remaining = deadline - now
        delay = burst if now - last_new < BURST_HOLD else base
        if remaining <= 0 or not keep_going(min(delay, remaining)):
            break
    return w.facts()
