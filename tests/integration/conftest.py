"""Real parts on loopback: an SMTP server (aiosmtpd) and a bot-like child process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port(preferred: int) -> int:
    """The real mail port when we may bind it (root, and nothing else on it); else 2525, which
    is a mail port too and needs no privilege."""
    for port in (preferred, 2525):
        if _free(port):
            return port
    pytest.skip(f"neither port {preferred} nor 2525 is free on 127.0.0.1")


class _Server:
    def __init__(self, port: int):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink

        self.port = port
        self.controller = Controller(Sink(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp25():
    with _Server(pick_port(25)) as server:
        yield server


@pytest.fixture
def smtp587():
    with _Server(pick_port(587)) as server:
        yield server


@pytest.fixture
def hidden_bot_exe():
    """The Python interpreter copied into a hidden temporary folder as 'svchost'."""
    folder = Path(tempfile.mkdtemp(prefix=".cache-", dir="/tmp"))
    exe = folder / "svchost"
    shutil.copy2(os.path.realpath(sys.executable), exe)
    yield exe
    shutil.rmtree(folder, ignore_errors=True)


def bot_env() -> dict[str, str]:
    env = dict(os.environ)
    # A copied interpreter cannot find its standard library or libpython by itself.
    env["PYTHONHOME"] = sys.base_prefix
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (libdir, env.get("LD_LIBRARY_PATH")) if p)
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture
def start_bot(hidden_bot_exe):
    procs: list[subprocess.Popen] = []

    def start(port: int, seconds: float, pause: float = 0.3) -> subprocess.Popen:
        proc = subprocess.Popen(
            [
                str(hidden_bot_exe),
                str(HERE / "bot.py"),
                "127.0.0.1",
                str(port),
                str(seconds),
                str(pause),
            ],
            env=bot_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read()
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def make_namespace(name: str, host_if: str, ns_if: str, host_ip: str, ns_ip: str):
    """A test host: network namespace ``name`` joined to this machine by a veth pair, /24
    addresses on both ends. Returns a cleanup function; skips the test where namespaces
    cannot be made."""
    if not shutil.which("ip") or not sys.platform.startswith("linux"):
        pytest.skip("needs iproute2 on Linux")

    def sh(*args, check=True):
        return subprocess.run(args, capture_output=True, text=True, check=check)

    def cleanup():
        sh("ip", "link", "del", host_if, check=False)
        sh("ip", "netns", "del", name, check=False)

    cleanup()
    made = sh("ip", "netns", "add", name, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {made.stderr.strip()}")
    try:
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        sh("ip", "link", "set", ns_if, "netns", name)
        sh("ip", "addr", "add", f"{host_ip}/24", "dev", host_if)
        sh("ip", "link", "set", host_if, "up", "multicast", "on")
        sh("ip", "netns", "exec", name, "ip", "addr", "add", f"{ns_ip}/24", "dev", ns_if)
        sh("ip", "netns", "exec", name, "ip", "link", "set", ns_if, "up", "multicast", "on")
        sh("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
    except subprocess.CalledProcessError:
        cleanup()
        raise
    return cleanup


SERVERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture
def dns_server():
    from dnslib import MX, QTYPE, RR, A
    from dnslib.server import BaseResolver, DNSServer

    class Resolver(BaseResolver):
        def resolve(self, request, handler):
            time.sleep(0.03)  # a real resolver is a round trip away, not a microsecond
            reply = request.reply()
            name = str(request.q.qname)
            if request.q.qtype == QTYPE.MX:
                reply.add_answer(RR(name, QTYPE.MX, rdata=MX("mx." + name), ttl=60))
            else:
                reply.add_answer(RR(name, QTYPE.A, rdata=A("127.0.0.2"), ttl=60))
            return reply

    server = DNSServer(Resolver(), port=53, address="127.0.0.53")
    server.start_thread()
    yield "127.0.0.53"
    server.stop()


@pytest.fixture
def mail_servers():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    controllers = [Controller(Sink(), hostname=ip, port=25) for ip in SERVERS]
    for c in controllers:
        c.start()
    yield SERVERS
    for c in controllers:
        c.stop()
