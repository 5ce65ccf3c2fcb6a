"""Live capture of mail traffic (`main.py capture`): runs as its own, privileged process and
speaks JSON lines on stdout.

Linux: an AF_PACKET socket with a kernel BPF filter (compiled and attached by scapy, which needs
libpcap) so unrelated traffic never reaches Python; the loop reads raw frames and hands IP packets
to the lean Analyzer. Each new flow or MX query is handed to an attribution thread that finds
its socket with sock_diag and its owner; the connection watch runs beside it as a second chance.
On loopback every packet is seen twice (outgoing and incoming copies): one is skipped (see the
loop for which). The pcap is written as Linux cooked capture (SLL) and flushed twice a second, so even a
kill -9 leaves a readable file.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks import errors
from checks.analyzer import Analyzer, ntop
from checks.i18n import N_, _

_PAYLOAD = "tcp[((tcp[12:1] & 0xf0) >> 2):{n}]"
# The mail ports and DNS, and, on any other port, what shows mail the ports do not: a proxy
# request (HTTP CONNECT, SOCKS 5 and 4 connect requests) and an SMTP greeting (EHLO/HELO in any
# case). And what the analyser cannot read but must count, because mail could be in it: IPv4
# fragments, IPsec (ESP, AH), IPv6 behind extension headers (hop-by-hop, routing, fragment,
# destination options, mobility, HIP, shim6) whose ports a filter cannot see. The kernel passes
# nothing else to Python.
HIDING_FILTER = (
    "(ip and ip[6:2] & 0x3fff != 0) or ip proto 50 or ip proto 51 or (ip6 and ("
    + " or ".join(f"ip6[6] = {n}" for n in (0, 43, 44, 50, 51, 60, 135, 139, 140))
    + "))"
)
BPF_FILTER = (
    HIDING_FILTER
    + " or tcp port 25 or tcp port 465 or tcp port 587 or tcp port 2525 or port 53 or (tcp and ("
    + " or ".join(
        (
            _PAYLOAD.format(n=4) + " = 0x434f4e4e",  # "CONN"
            _PAYLOAD.format(n=2) + " = 0x0501",
            _PAYLOAD.format(n=2) + " = 0x0401",
            _PAYLOAD.format(n=4) + " & 0xdfdfdfdf = 0x45484c4f",  # "EHLO", any case
            _PAYLOAD.format(n=4) + " & 0xdfdfdfdf = 0x48454c4f",  # "HELO"
        )
    )
    + "))"
)
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET, PACKET_STATISTICS = 263, 6
LINKTYPE_SLL = 113


class CaptureError(RuntimeError):
    def __init__(self, reason: str, how: str = ""):
        super().__init__(reason)
        self.reason, self.how = reason, how


class PcapWriter:
    """pcap in Linux cooked (SLL) framing; records are complete before they are flushed."""

    def __init__(self, path: Path):
        # A fresh file renamed into place in a folder we own: never written through a link.
        from checks.probes.privileges import create_fresh

        self.fp = os.fdopen(create_fresh(Path(path)), "wb")
        self.fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_SLL))
        self.fp.flush()
        self.last_flush = time.monotonic()

    def write(
        self,
        ts: float,
        pkttype: int,
        hatype: int,
        addr: bytes,
        protocol: int,
        ip_bytes: bytes,
        wirelen: int,
    ):
        header = struct.pack(
            "!HHH8sH", pkttype, hatype, len(addr), addr[:8].ljust(8, b"\0"), protocol
        )
        sec = int(ts)
        self.fp.write(
            struct.pack("<IIII", sec, int((ts - sec) * 1e6), 16 + len(ip_bytes), 16 + wirelen)
        )
        self.fp.write(header)
        self.fp.write(ip_bytes)

    def maybe_flush(self) -> None:
        if time.monotonic() - self.last_flush >= 0.5:
            self.fp.flush()
            self.last_flush = time.monotonic()

    def close(self) -> None:
        self.fp.flush()
        os.fsync(self.fp.fileno())
        self.fp.close()


def local_addresses() -> set[bytes]:
    import psutil

    out: set[bytes] = set()
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            try:
                if a.family == socket.AF_INET:
                    out.add(socket.inet_pton(socket.AF_INET, a.address))
                elif a.family == socket.AF_INET6:
                    out.add(socket.inet_pton(socket.AF_INET6, a.address.split("%")[0]))
            except OSError:
                continue
    return out


class Attributor(threading.Thread):
    """Finds the program behind each new flow (TCP) or DNS query (UDP) while its socket lives."""

    def __init__(self):
        super().__init__(name="capture-attribution", daemon=True)
        self.queue: queue.Queue = queue.Queue()
        self.owners: dict[tuple, dict | None] = {}
        self._hints: list[int] = []
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.queue.put(None)

    def run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            self.attribute(item)

    def attribute(self, item: tuple) -> None:
        """Find the owner of one flow ("tcp", 4-tuple) or DNS query ("udp", (addr, port))."""
        kind, key = item
        try:
            if sys.platform.startswith("linux"):
                inode = self._socket_inode(kind, key)
                self.owners[key] = self._owner(inode) if inode else self.owners.get(key)
            else:
                self.owners[key] = self._owner_from_psutil(kind, key) or self.owners.get(key)
        except OSError:
            self.owners.setdefault(key, None)

    @staticmethod
    def _owner_from_psutil(kind: str, key: tuple) -> dict | None:
        """Windows/macOS: the connection table gives the pid directly (slower, one per flow)."""
        import psutil

        from checks import programs
        from checks.model import current_platform
        from checks.probes import processes

        try:
            conns = psutil.net_connections(kind="tcp" if kind == "tcp" else "udp")
        except psutil.Error:
            return None
        if kind == "tcp":
            client, cport, server, sport = key
            want = (ntop(client), cport, ntop(server), sport)
            pid = next(
                (
                    c.pid
                    for c in conns
                    if c.raddr and (c.laddr.ip, c.laddr.port, c.raddr.ip, c.raddr.port) == want
                ),
                None,
            )
        else:
            pid = next((c.pid for c in conns if c.laddr and c.laddr.port == key[1]), None)
        info = processes.describe(pid) if pid else None
        if info is None:
            return None
        return programs.program_facts(
            info,
            programs.classify(
                info.name, info.exe, current_platform(), info.exe_exists, info.exe_verified
            ),
        )

    @staticmethod
    def _socket_inode(kind: str, key: tuple) -> int:
        from checks.probes import sockdiag

        if kind == "tcp":
            client, cport, server, sport = key
            found = sockdiag.SockDiag(remote_ports=[sport]).read().sockets
            want = (ntop(client), cport, ntop(server), sport)
            return next((s.inode for s in found if (s.laddr, s.lport, s.raddr, s.rport) == want), 0)
        _client, cport = key
        found = sockdiag.SockDiag(local_ports=[cport], protocol=socket.IPPROTO_UDP).read().sockets
        return next((s.inode for s in found if s.inode), 0)

    def _owner(self, inode: int) -> dict | None:
        from checks import programs
        from checks.model import current_platform
        from checks.probes import processes, sockets

        owners, _denied = sockets.find_inode_owners({inode}, hints=self._hints[-8:])
        pid = owners.get(inode)
        info = processes.describe(pid) if pid else None
        if info is None:
            return None
        self._hints.append(pid)
        program = programs.classify(
            info.name, info.exe, current_platform(), info.exe_exists, info.exe_verified
        )
        return programs.program_facts(info, program)


def open_socket(iface: str | None, bpf: str = BPF_FILTER):
    """The packet socket. On one interface: raw frames, the filter compiled for its link type.
    On all of them: cooked (SOCK_DGRAM) packets that start at the IP header whatever the
    interface (Ethernet, loopback, a VPN's tun, PPP), so one filter compiled for raw IP fits
    them all."""
    kind = socket.SOCK_RAW if iface else socket.SOCK_DGRAM
    try:
        sock = socket.socket(socket.AF_PACKET, kind, socket.htons(ETH_P_ALL))
    except PermissionError as exc:
        raise CaptureError(
            _("needs administrator rights"),
            _(
                "run it as root (sudo python main.py capture ...), or start the capture from the"
                " window, which asks for the administrator password"
            ),
        ) from exc
    except (AttributeError, OSError) as exc:
        raise CaptureError(
            _("cannot open a capture socket: {why}").format(why=errors.describe(exc))
        ) from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, 33, 256 * 1024 * 1024)  # SO_RCVBUFFORCE: absorb bursts
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
    if iface:  # an unbound packet socket hears every interface (binding to "" fails: ENODEV)
        try:
            sock.bind((iface, 0))
        except OSError as exc:
            raise CaptureError(_("no such interface: {name}").format(name=iface)) from exc
    try:
        if iface:
            from scapy.arch.linux import attach_filter

            attach_filter(sock, bpf, iface)
        else:
            attach_raw_ip_filter(sock, bpf)
    except Exception as exc:
        raise CaptureError(
            _("cannot attach the capture filter ({why})").format(why=errors.describe(exc)),
            _("install libpcap (Debian/Ubuntu: sudo apt install libpcap0.8)"),
        ) from exc
    sock.setblocking(False)  # drain what arrived before the filter was attached
    try:
        while True:
            sock.recv(65535)
    except BlockingIOError:
        pass
    sock.settimeout(0.2)
    return sock


def attach_raw_ip_filter(sock, bpf: str) -> None:
    """Compile ``bpf`` for packets that start at the IP header (DLT_RAW) and attach it: what a
    cooked packet socket's filter sees (the kernel strips the link header first)."""
    from scapy.arch.common import compile_filter
    from scapy.arch.linux import SO_ATTACH_FILTER, free_filter, sock_fprog
    from scapy.data import DLT_RAW

    program = compile_filter(bpf, linktype=DLT_RAW)
    try:
        sock.setsockopt(
            socket.SOL_SOCKET, SO_ATTACH_FILTER, sock_fprog(program.bf_len, program.bf_insns)
        )
    finally:
        free_filter(program)


def npcap_problem() -> str | None:
    """Windows: scapy captures through Npcap; say how to get it when it is missing."""
    if sys.platform != "win32":
        return None
    root = os.environ.get("SystemRoot", r"C:\Windows")
    if os.path.isdir(os.path.join(root, "System32", "Npcap")):
        return None
    return N_("Npcap is not installed")


def split_frame(frame: bytes):
    """(ip, pkttype, hatype, link_addr, ethertype) from a frame of unknown framing: Ethernet
    (with VLAN), BSD/Npcap loopback (4-byte address family) or raw IP — judged by content,
    because scapy cannot always name the link type (e.g. Linux lo)."""
    if len(frame) >= 34:
        ethertype = (frame[12] << 8) | frame[13]
        if ethertype == 0x8100 and len(frame) >= 38:
            return frame[18:], 0, 1, frame[6:12], (frame[16] << 8) | frame[17]
        if ethertype in (0x0800, 0x86DD) and frame[14] >> 4 in (4, 6):
            return frame[14:], 0, 1, frame[6:12], ethertype
    if (
        len(frame) >= 24
        and frame[4] >> 4 in (4, 6)
        and int.from_bytes(frame[:4], "little") in (2, 24, 28, 30)
    ):
        return frame[4:], 0, 772, b"", 0x0800 if frame[4] >> 4 == 4 else 0x86DD
    if frame and frame[0] >> 4 in (4, 6):
        return frame, 0, 65534, b"", 0x0800 if frame[0] >> 4 == 4 else 0x86DD
    return None


def _looks_denied(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("permission denied", "operation not permitted", "/dev/bpf"))


def portable_interfaces(ifaces=None) -> list[tuple[str, Any]]:
    """(name shown to people, what scapy opens) for each interface the portable capture listens
    on when asked for "all": every interface scapy can open that has an address ("Ethernet",
    "Wi-Fi" on Windows, whose Npcap device names are GUIDs; en0, utun3 on macOS), loopback
    included, since a local relay talks to mail servers through it."""
    if ifaces is None:
        from scapy.config import conf

        ifaces = conf.ifaces.values()
    found = []
    for i in ifaces:
        try:
            if i.is_valid() and any(i.ips.get(v) for v in (4, 6)):
                found.append((str(i.name), i))
        except Exception:
            continue
    return found


class ScapySource:
    """Frames from scapy's own listening sockets (Npcap on Windows, BPF on macOS; AF_PACKET on
    Linux when asked for with CLEARLINE_CAPTURE_BACKEND=scapy): the portable path. scapy listens
    on one interface per socket, so "all" opens one per interface and waits on all of them;
    ``label`` names what was really watched. The kernel filter is the same; frames are
    stripped by the link type scapy reports."""

    def __init__(self, iface: str | None):
        problem = npcap_problem()
        if problem:
            raise CaptureError(
                _(problem),
                _(
                    "install Npcap from https://npcap.com (keep 'WinPcap API-compatible"
                    " mode' ticked), then start the capture again"
                ),
            )
        try:
            import scapy.arch  # noqa: F401 - fills conf.L2listen for this platform
            from scapy.config import conf

            wanted = [(iface, iface)] if iface else portable_interfaces()
        except Exception as exc:
            raise CaptureError(
                _("cannot list interfaces ({why})").format(why=errors.describe(exc))
            ) from exc
        self.socks: list = []
        self.names: list[str] = []
        self.skipped: list[str] = []
        for name, handle in wanted:
            try:
                self.socks.append(conf.L2listen(iface=handle, filter=BPF_FILTER))
                self.names.append(name)
            except PermissionError as exc:
                self.close()
                raise CaptureError(
                    _("needs administrator rights"), _("run it as administrator")
                ) from exc
            except Exception as exc:
                # scapy reports a denied /dev/bpf* on macOS as Scapy_Exception("Permission
                # denied"), not as PermissionError: it still means "ask for the password".
                if _looks_denied(exc):
                    self.close()
                    raise CaptureError(
                        _("needs administrator rights"), _("run it as administrator")
                    ) from exc
                self.skipped.append(f"{name}: {type(exc).__name__}: {exc}")
        if not self.socks:
            detail = "; ".join(self.skipped) or _("no interface with an address")
            raise CaptureError(_("cannot open the capture ({why})").format(why=detail))
        self.label = iface or ", ".join(self.names)

    def read(self, timeout: float):
        """(ip_bytes, pkttype, hatype, link_addr, ethertype) or None when nothing came."""
        ready = type(self.socks[0]).select(self.socks, timeout)
        for sock in ready or ():
            got = sock.recv_raw(262144)
            if got and got[1] is not None:
                return split_frame(bytes(got[1]))
        return None

    def drops(self) -> int | None:
        return None  # Npcap and BPF keep counts scapy does not expose: not reported, not zero

    def close(self) -> None:
        for sock in self.socks:
            try:
                sock.close()
            except OSError:
                pass


def kernel_drops(sock) -> tuple[int, int]:
    try:
        raw = sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        return struct.unpack("II", raw)
    except OSError:
        return (0, 0)


SO_TIMESTAMPNS = 35  # struct timespec of when the kernel took the packet


class LinuxSource:
    """The fast path: an AF_PACKET socket with the BPF filter attached, read directly.
    ``stamps``: keep the kernel's own time of each packet (``last_time_ns``), not the time
    Python got round to it (the journal's records carry it)."""

    def __init__(self, iface: str | None, bpf: str = BPF_FILTER, stamps: bool = False):
        self.sock = open_socket(iface, bpf)
        self.cooked = not iface  # all interfaces: packets start at the IP header
        self.dropped = 0  # PACKET_STATISTICS resets on every read: keep the sum
        self.timeout = 0.2
        self.stamps = stamps
        self.last_time_ns: int | None = None
        if stamps:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)

    def _receive(self):
        if not self.stamps:
            return self.sock.recvfrom(262144)
        frame, ancillary, _flags, addr = self.sock.recvmsg(262144, socket.CMSG_SPACE(16))
        self.last_time_ns = None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                seconds, nanos = struct.unpack("qq", data[:16])
                self.last_time_ns = seconds * 1_000_000_000 + nanos
        return frame, addr

    def read(self, timeout: float):
        if timeout != self.timeout:
            self.sock.settimeout(timeout)
            self.timeout = timeout
        while True:
            try:
                frame, addr = self._receive()
            except (TimeoutError, BlockingIOError):  # (a zero timeout makes it non-blocking)
                return None
            ifname, protocol, pkttype, hatype = addr[0], addr[1], addr[2], addr[3]
            if ifname == "lo" and pkttype != PACKET_OUTGOING:
                # Loopback shows each packet twice. The outgoing copy is tapped as it is sent;
                # the incoming one can be lost when lo's receive backlog overflows. Count the
                # outgoing copy only.
                continue
            if self.cooked:
                return frame, pkttype, hatype, addr[4], protocol
            if hatype in (1, 772):
                ethertype = (frame[12] << 8) | frame[13] if len(frame) >= 14 else 0
                if ethertype == 0x8100 and len(frame) >= 18:
                    return frame[18:], pkttype, hatype, addr[4], (frame[16] << 8) | frame[17]
                return frame[14:], pkttype, hatype, addr[4], ethertype
            return frame, pkttype, hatype, addr[4], protocol

    def drops(self) -> int:
        self.dropped += kernel_drops(self.sock)[1]
        return self.dropped

    def close(self) -> None:
        self.sock.close()


def open_source(iface: str | None):
    if sys.platform.startswith("linux") and os.environ.get("CLEARLINE_CAPTURE_BACKEND") != "scapy":
        return LinuxSource(iface)
    return ScapySource(iface)


def capture(
    iface: str | None,
    seconds: float,
    pcap: Path | None,
    emit: Callable[[dict], None],
    stop: threading.Event,
    watch: bool = True,
    after_open: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Capture until ``seconds`` pass or ``stop`` is set; returns the final document.
    ``after_open`` runs once the packet socket is open and before any file is touched or any
    thread started: where root is given up."""
    from checks.model import current_platform

    iface = None if iface in (None, "", "all", "any") else iface
    source = open_source(iface)
    if after_open is not None:
        after_open()
    writer = PcapWriter(pcap) if pcap else None
    analyzer = Analyzer(local_addresses(), track_new_flows=True)
    attributor = Attributor()
    attributor.start()
    watcher_result: dict = {}
    watch_thread = None
    if watch:
        from checks.context import is_admin
        from checks.probes import mail_connections

        def run_watch():
            watcher_result["facts"] = mail_connections.watch(
                seconds + 1,
                keep_going=lambda d: not stop.wait(d),
                platform=current_platform(),
                admin=is_admin(),
            )

        watch_thread = threading.Thread(target=run_watch, name="capture-watch", daemon=True)
        watch_thread.start()
    started = time.time()
    deadline = time.monotonic() + seconds
    next_progress = time.monotonic() + 1.0
    seen_mx = 0
    feed = analyzer.feed
    emit(
        {
            "type": "start",
            "iface": getattr(source, "label", None) or iface or "all",
            "seconds": seconds,
            "filter": BPF_FILTER,
            "pcap": str(pcap) if pcap else None,
            "started": _iso(started),
            "backend": type(source).__name__,
        }
    )
    stopped_by = "time"
    draining = False
    drain_until = 0.0
    timeout = 0.2
    try:
        while True:
            now = time.monotonic()
            if now >= deadline or stop.is_set():
                if stop.is_set() and stopped_by == "time":
                    stopped_by = "stopped"
                # What the kernel already queued was captured before the stop: read it too
                # (for at most a few seconds), then finish.
                if not draining:
                    draining, timeout = True, 0.05
                    deadline = min(deadline, now)
                    drain_until = now + 5.0
                elif now >= drain_until:
                    break
            if now >= next_progress:
                emit(
                    {
                        "type": "progress",
                        "elapsed": round(time.time() - started, 1),
                        "packets": analyzer.packets,
                        "smtp_syn": sum(analyzer.syn_by_dest.values()),
                        "mx_queries": len(analyzer.mx_queries),
                        "kernel_drops": source.drops(),
                    }
                )
                next_progress = now + 1.0
                if writer:
                    writer.maybe_flush()
            try:
                got = source.read(timeout)
            except OSError as exc:
                stopped_by = f"interface error: {exc}"
                break
            if got is None:
                if draining:
                    break
                continue
            ip, pkttype, hatype, link_addr, ethertype = got
            ts = time.time()
            out = feed(ts, ip, scrub=writer is not None)
            if analyzer.new_flows:
                for key in analyzer.new_flows:
                    attributor.queue.put(("tcp", key))
                analyzer.new_flows.clear()
            if len(analyzer.mx_queries) != seen_mx:
                # A DNS query's socket lives only until its answer arrives (milliseconds), so
                # MX lookups are attributed right here; they are rare in normal traffic.
                for _ts, _name, client, port in analyzer.mx_queries[seen_mx:]:
                    attributor.attribute(("udp", (client, port)))
                seen_mx = len(analyzer.mx_queries)
            if writer is not None:
                writer.write(
                    ts, pkttype, hatype, link_addr, ethertype, ip if out is None else out, len(ip)
                )
    finally:
        stop.set()
        drops = source.drops()
        source.close()
        if writer:
            writer.close()
        if watch_thread:
            watch_thread.join(5)
        attributor.stop()
        attributor.join(5)
    owners = dict(attributor.owners)
    facts = watcher_result.get("facts")
    if facts is not None:
        from checks import programs

        for obs in facts.observations:
            if obs.owner is None:
                continue
            try:
                key = (
                    socket.inet_pton(
                        socket.AF_INET6 if ":" in obs.laddr else socket.AF_INET, obs.laddr
                    ),
                    obs.lport,
                    socket.inet_pton(
                        socket.AF_INET6 if ":" in obs.raddr else socket.AF_INET, obs.raddr
                    ),
                    obs.rport,
                )
            except OSError:
                continue
            if owners.get(key) is None:
                program = programs.classify(
                    obs.owner.name,
                    obs.owner.exe,
                    current_platform(),
                    obs.owner.exe_exists,
                    obs.owner.exe_verified,
                )
                owners[key] = programs.program_facts(obs.owner, program)
    mx_owners = {k: v for k, v in owners.items() if len(k) == 2}
    summary = analyzer.summary(owners, mx_owners)
    summary.update(
        iface=getattr(source, "label", None) or iface or "all",
        # The window watched, not just the first and last packet: a quiet capture is evidence too.
        started=_iso(started),
        ended=_iso(time.time()),
        stopped_by=stopped_by,
        kernel_drops=drops,
        pcap=str(pcap) if pcap else None,
    )
    return summary


def _iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).astimezone().isoformat()


def install_stop_handlers(stop: threading.Event) -> None:
    """Ctrl-C and the window's stop button (SIGTERM) end the capture and keep what it has."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: stop.set())


def stop_when_file_appears(path: str, stop: threading.Event) -> None:
    """An elevated capture cannot get the window's signal: the window creates this file."""

    def poll() -> None:
        while not stop.wait(0.3):
            if os.path.exists(path):
                stop.set()

    threading.Thread(target=poll, name="capture-stop-file", daemon=True).start()


def json_line(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    sys.stdout.flush()


__all__ = ["CaptureError", "capture", "install_stop_handlers", "json_line"]
