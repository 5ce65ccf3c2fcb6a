"""The kernel's own words on who connected (journal/tracer.py), read from lines recorded on a
real kernel: a forked child that never exec'd runs its parent's program file; IPv6 and IPv4
connections are matched to their SYN in order, and a stale one is dropped."""

from __future__ import annotations

from journal import tracer as T
from tests.recorded import DATA

LINES = (DATA / "linux/trace/trace_pipe.txt").read_text(encoding="utf-8").splitlines()


def fed() -> T.ConnectTracer:
    t = T.ConnectTracer.__new__(T.ConnectTracer)  # no tracefs: only the reading is tested
    t.ports, t.describe, t.lines = (2525,), None, 0
    t.lock = __import__("threading").Lock()
    t.waiting, t.exec_of = {}, T.OrderedDict()
    for line in LINES:
        t.feed(line)
    return t


def test_the_connecting_process_and_its_program_file_are_read():
    t = fed()
    child = t.take("127.0.0.1", "127.0.0.1", 2525, 7110.73)
    assert child is not None and (child.pid, child.comm) == (19245, "python3")
    assert child.exe == "/root/.pyenv/versions/3.11.7/bin/python3"  # inherited at the fork
    parent = t.take("::1", "::1", 2525, 7110.73)
    assert parent is not None and parent.pid == 19204 and parent.exe.endswith("python3")
    assert t.take("127.0.0.1", "127.0.0.1", 2525, 7110.73) is None  # each opener once


def test_a_packet_sent_before_the_opener_is_not_its_and_a_stale_opener_is_dropped():
    t = fed()
    assert t.take("127.0.0.1", "127.0.0.1", 2525, 7110.0) is None  # earlier than the connect
    assert t.take("127.0.0.1", "127.0.0.1", 2525, 7110.73) is not None  # still waiting for it
    t = fed()
    assert t.take("127.0.0.1", "127.0.0.1", 2525, 7200.0) is None  # its SYN never came
    assert t.take("127.0.0.1", "127.0.0.1", 2525, 7110.73) is None  # dropped, not matched later


def test_a_process_seen_exiting_keeps_the_program_file_the_kernel_named():
    """Under load (two busy cores) 12% of a bench's 1-ms connectors were recorded with no
    program file: looked up while exiting, /proc showed the process (name, parent, user) but
    no longer its program file, and that record won over the file the kernel's fork and exec
    events had named. The kernel's file fills the gap; it stays unverified."""
    from journal.recorder import opener_record

    exiting = {
        "pid": 19695,
        "started": "2026-12-07T14:23:08.600000+00:00",
        "name": "connector",
        "exe": None,
        "user": "root",
        "kind": "other",
        "parent": "connector (19670)",
        "exe_verified": None,
    }
    opener = T.Opener(19695, 19695, "connector", "/tmp/bench/connector", 12.5, exiting)
    record = opener_record(opener)
    assert record["exe"] == "/tmp/bench/connector"
    assert record["exe_verified"] is None and record["parent"] == "connector (19670)"
    # A program file /proc did show is never replaced.
    shown = {**exiting, "exe": "/usr/bin/connector", "exe_verified": True}
    opener = T.Opener(19695, 19695, "connector", "/tmp/bench/connector", 12.5, shown)
    assert opener_record(opener)["exe"] == "/usr/bin/connector"
