"""Replay recorded connection tables (psutil output on Windows and macOS) through the real
ConnectionWatch, so the probe's bookkeeping and the interpreter are tested on faithful data."""

from __future__ import annotations

import json
from pathlib import Path

from checks.probes.mail_connections import ConnectionWatch, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.probes.sockets import Socket, SocketTable

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def process_from_record(pid: int, rec: dict) -> ProcessInfo:
    return ProcessInfo(
        pid=pid,
        create_time=rec.get("create_time"),
        name=rec["name"],
        exe=rec.get("exe"),
        exe_exists=rec.get("exe_exists"),
        cmdline=tuple(rec.get("cmdline", ())),
        user=rec.get("username"),
        parents=tuple(tuple(p) for p in rec.get("parents", ())),
        denied=tuple(rec.get("denied", ())),
    )


def replay(name: str) -> WatchFacts:
    rec = load(name)
    watch = recorded_watch(name)
    for _ in rec["polls"]:
        watch.poll()
    return watch.facts()


def recorded_watch(name: str) -> ConnectionWatch:
    """A connection watch whose every poll reads the next recorded table."""
    rec = load(name)
    polls = iter(rec["polls"])
    incomplete = rec.get("incomplete_reason")

    def read_table() -> SocketTable:
        conns = next(polls)
        return SocketTable(
            tuple(
                Socket(
                    laddr=c["laddr"][0],
                    lport=c["laddr"][1],
                    raddr=c["raddr"][0],
                    rport=c["raddr"][1],
                    state=c["status"],
                    pid=c["pid"] or None,
                )
                for c in conns
            ),
            complete=incomplete is None,
            reason=incomplete,
        )

    def describe(pid: int) -> ProcessInfo | None:
        proc = rec["processes"].get(str(pid))
        return process_from_record(pid, proc) if proc else None

    return ConnectionWatch(
        use_proc=False,
        describe=describe,
        platform=rec["platform"],
        admin=rec["admin"],
        read_table=read_table,
    )


def cmd(stdout="", returncode=0, problem=None, stderr="", argv=("x",)) -> dict:
    """A probe's recorded command run, as checks/probes/linux and macos return it."""
    return {
        "argv": list(argv),
        "returncode": returncode,
        "problem": problem,
        "detail": "",
        "undecodable": False,
        "stdout": stdout,
        "stderr": stderr,
    }
