"""Which programs are listening for connections, and on which addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from checks.probes import processes, sockdiag, sockets
from checks.probes.processes import ProcessInfo


@dataclass(frozen=True)
class Listener:
    addr: str
    port: int
    owner: ProcessInfo | None
    owner_problem: str | None = None  # "hidden" (needs admin), "not_found" or "ended"


@dataclass(frozen=True)
class ListenerFacts:
    platform: str
    observed_at: datetime
    listeners: tuple[Listener, ...]
    complete: bool = True  # the whole table was visible (owners may still be hidden per entry)
    incomplete_reason: str | None = None
    admin: bool = False


def read_listeners(
    *,
    platform: str,
    admin: bool,
    use_proc: bool | None = None,
    describe: Callable[[int], ProcessInfo | None] = processes.describe,
) -> ListenerFacts:
    use_proc = sockets.proc_available() if use_proc is None else use_proc
    now = datetime.now().astimezone()
    described: dict[int, ProcessInfo | None] = {}

    def owner_of(pid: int) -> ProcessInfo | None:
        if pid not in described:
            described[pid] = describe(pid)
        return described[pid]

    listeners: list[Listener] = []
    complete, reason = True, None
    if use_proc:
        table = sockdiag.linux_reader(listeners=True).read()
        owners, denied = sockets.find_inode_owners({s.inode for s in table.sockets if s.inode})
        for s in table.sockets:
            pid = owners.get(s.inode)
            if pid is None:
                listeners.append(
                    Listener(s.laddr, s.lport, None, "hidden" if denied else "not_found")
                )
                continue
            info = owner_of(pid)
            listeners.append(Listener(s.laddr, s.lport, info, None if info else "ended"))
    else:
        table = sockets.psutil_table()
        complete, reason = table.complete, table.reason
        for s in table.sockets:
            if s.state != "LISTEN":
                continue
            if s.pid is None:
                listeners.append(Listener(s.laddr, s.lport, None, "hidden"))
                continue
            info = owner_of(s.pid)
            listeners.append(Listener(s.laddr, s.lport, info, None if info else "ended"))
    # One entry per (address, port, owner): SO_REUSEPORT servers open several identical sockets.
    unique = {
        (item.addr, item.port, item.owner and item.owner.identity): item for item in listeners
    }
    return ListenerFacts(platform, now, tuple(unique.values()), complete, reason, admin)
