"""Real capture on loopback (root only): a bot that looks up MX records and talks SMTP to several
servers, a mail client authenticating on 587 with a known secret, and the scrubbed pcap."""

import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import HERE, SERVERS, bot_env

pytestmark = [pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
if not sys.platform.startswith("linux"):
    pytest.skip("live capture is implemented for Linux", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("live capture needs root (CI runs as root)", allow_module_level=True)
try:
    from scapy.arch.common import compile_filter
    from scapy.arch.linux import attach_filter  # noqa: F401

    compile_filter("port 25", iface="lo")
except Exception as exc:
    pytest.skip(f"capture filters need libpcap: {exc}", allow_module_level=True)

SECRET = "Sup3r-S3cret-pw"
BODY = "CONFIDENTIAL-BODY-TEXT-4711"


def capture_argv(iface: str, seconds, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "main.py"),
        "capture",
        "--iface",
        iface,
        "--seconds",
        str(seconds),
        *extra,
    ]


def start_capture(tmp_path, seconds, iface="lo"):
    pcap = tmp_path / "out.pcap"
    proc = subprocess.Popen(
        capture_argv(iface, str(seconds), "--json", "--pcap", str(pcap)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = json.loads(proc.stdout.readline())
    assert first["type"] == "start", first
    return proc, pcap


def finish(proc):
    out, err = proc.communicate(timeout=60)
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert lines and lines[-1]["type"] == "summary", err
    return lines[-1], lines


@pytest.mark.parametrize("iface", ["lo", "all"])
def test_bot_with_mx_lookups_is_counted_and_attributed(
    tmp_path, dns_server, mail_servers, hidden_bot_exe, iface
):
    """On loopback alone, and on every interface at once (the default: cooked packets that
    start at the IP header whatever the link; loopback's copies counted once)."""
    proc, pcap = start_capture(tmp_path, 6, iface)
    domains = [f"victim{i}.example={ip}" for i, ip in enumerate(SERVERS)]
    bot = subprocess.Popen(
        [str(hidden_bot_exe), str(HERE / "mxbot.py"), dns_server, *domains],
        env=dict(bot_env(), MXBOT_DELAY="0.5"),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bot.stdout.readline().strip() == "ready"
    summary, _lines = finish(proc)
    assert bot.wait(10) == 0 and "done 3" in bot.stdout.read()
    assert summary["mx_queries_total"] == 3 and summary["mx_distinct"] == 3
    attempts = {(d["ip"], d["port"]): d for d in summary["destinations"]}
    for ip in SERVERS:
        assert attempts[(ip, 25)]["syn"] == 1 and attempts[(ip, 25)]["completed"] == 1
    assert summary["ehlo_names"] == ["bot.invalid"]
    mine = [p for p in summary["programs"] if p["program"] and p["program"]["pid"] == bot.pid]
    assert mine, summary["programs"]
    assert mine[0]["flows"] == 3 and mine[0]["mx_queries"] == 3
    assert mine[0]["program"]["exe"] == str(hidden_bot_exe)
    results = {r["id"]: r for r in summary["results"]}
    # The servers stand on this PC's loopback: the mail never left it, and the words say so.
    assert (results["TRAFFIC-SMTP"]["status"], results["TRAFFIC-SMTP"]["reason"]) == (
        "pass",
        "local_only",
    )
    assert results["TRAFFIC-MX"]["status"] == "fail"
    if shutil.which("tshark"):
        out = subprocess.run(
            [
                "tshark",
                "-r",
                str(pcap),
                "-Y",
                "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==25",
            ],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        assert len(out.stdout.strip().splitlines()) == 3


def test_a_bot_sending_to_a_server_off_this_pc_fails(tmp_path, hidden_bot_exe):
    """The same bot, its server in a network namespace (another host on a link): direct mail
    to port 25 of a server elsewhere, attributed to the hidden program."""
    from tests.integration.conftest import make_namespace

    ns, server_ip = "clearline-mx", "10.254.10.2"
    cleanup = make_namespace(ns, "clmx0", "clmx1", "10.254.10.1", server_ip)
    server = subprocess.Popen(
        [
            "ip", "netns", "exec", ns, sys.executable, "-c",
            "import time\nfrom aiosmtpd.controller import Controller\n"
            "from aiosmtpd.handlers import Sink\n"
            f"c = Controller(Sink(), hostname='{server_ip}', port=25); c.start()\n"
            "print('up', flush=True); time.sleep(20)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout.readline().strip() == "up"
        proc, _pcap = start_capture(tmp_path, 4, "all")
        bot = subprocess.run(
            [str(hidden_bot_exe), str(HERE / "bot.py"), server_ip, "25", "1.5"],
            env=bot_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert "sent" in bot.stdout, bot.stderr
        summary, _lines = finish(proc)
    finally:
        server.kill()
        cleanup()
    results = {r["id"]: r for r in summary["results"]}
    assert results["TRAFFIC-SMTP"]["status"] == "fail", results["TRAFFIC-SMTP"]
    mine = [p for p in summary["programs"] if p["program"]]
    assert mine and mine[0]["program"]["exe"] == str(hidden_bot_exe)
    assert mine[0]["directions"] == ["outbound"]


@pytest.fixture
def known_client_exe():
    folder = Path(f"/opt/clearline-test-{os.getpid()}")
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "thunderbird"
    shutil.copy2(os.path.realpath(sys.executable), exe)
    yield exe
    shutil.rmtree(folder, ignore_errors=True)


CLIENT = """
import os, smtplib, sys, time
time.sleep(0.5)
with smtplib.SMTP("127.0.0.1", 587, local_hostname="laptop.example", timeout=5) as s:
    s.login("taro", os.environ["SECRET"])
    s.sendmail("taro@isp.example", [os.environ["RCPT"]], "Subject: hi\\r\\n\\r\\n" + os.environ["BODY"] + "\\r\\n")
    time.sleep(0.3)
print("sent", flush=True)
"""


def test_authenticated_client_on_587_passes_and_secrets_never_reach_evidence(
    tmp_path, known_client_exe
):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=True)

    controller = Controller(
        Sink(), hostname="127.0.0.1", port=587, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        proc, pcap = start_capture(tmp_path, 4)
        client = subprocess.run(
            [str(known_client_exe), "-c", CLIENT],
            env=dict(bot_env(), SECRET=SECRET, BODY=BODY, RCPT="hanako@friend.example"),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert "sent" in client.stdout, client.stderr
        summary, lines = finish(proc)
    finally:
        controller.stop()
    raw = pcap.read_bytes()
    everything = raw + json.dumps(lines).encode()
    import base64

    for secret in (
        SECRET,
        BODY,
        base64.b64encode(f"\0taro\0{SECRET}".encode()).decode(),
        "hanako@",
    ):
        assert secret.encode() not in everything, secret
    assert b"friend.example" in raw  # the recipient's domain stays
    assert summary["auth_seen"] is True
    results = {r["id"]: r for r in summary["results"]}
    assert results["TRAFFIC-SMTP"]["status"] == "pass", results["TRAFFIC-SMTP"]
    if shutil.which("tshark"):
        assert subprocess.run(["tshark", "-r", str(pcap)], capture_output=True).returncode == 0


RCPT = "hanako@friend.example"
SPLIT_CLIENT = """
import base64, os, socket, sys, time

def recv(s):
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
        last = data.rstrip(b"\\r\\n").rsplit(b"\\n", 1)[-1]
        if data.endswith(b"\\n") and last[3:4] in (b" ", b""):
            return data

def send(s, data, split):
    for i in range(0, len(data), split):
        s.send(data[i:i + split])
        time.sleep(0.02)  # each piece in its own segment

s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if os.environ.get("CLIENT_PORT"):
    s.bind(("127.0.0.1", int(os.environ["CLIENT_PORT"])))
s.connect(("127.0.0.1", int(os.environ["PORT"])))
recv(s)
send(s, b"EHLO laptop.example\\r\\n", 64)
recv(s)
split = int(os.environ["SPLIT"])
send(s, b"au", split); send(s, b"th LOGIN\\r\\n", split)
recv(s)
send(s, base64.b64encode(b"taro") + b"\\r\\n", split)
recv(s)
send(s, base64.b64encode(os.environ["SECRET"].encode()) + b"\\r\\n", split)
print(recv(s).decode().strip(), flush=True)
send(s, b"MAIL FROM:<taro@isp.example>\\r\\n", 64); recv(s)
send(s, b"RCPT TO:<" + os.environ["RCPT"].encode() + b">\\r\\n", 64); recv(s)
send(s, b"DATA\\r\\n", 64); recv(s)
send(s, b"Subject: x\\r\\n\\r\\n" + os.environ["BODY"].encode() + b"\\r\\n.\\r\\n", split); recv(s)
send(s, b"QUIT\\r\\n", 64)
print("sent", flush=True)
"""


@pytest.mark.parametrize(
    ("port", "client_port", "split"),
    [(2525, None, 1), (2525, None, 3), (25, 53, 5)],
    ids=["one-byte-segments", "three-byte-segments", "from-client-port-53"],
)
def test_auth_split_across_segments_never_reaches_the_pcap(tmp_path, port, client_port, split):
    """A client that sends "au" and "th LOGIN" apart, its credentials and its body a few bytes
    per segment (as a terminal does), and one from client port 53 to port 25: nothing of the
    exchange or the body is in capture.pcap or the capture's own output."""
    import base64

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import AuthResult

    controller = Controller(
        Sink(),
        hostname="127.0.0.1",
        port=port,
        authenticator=lambda *a: AuthResult(success=True),
        auth_require_tls=False,
    )
    controller.start()
    try:
        proc, pcap = start_capture(tmp_path, 6)
        env = dict(bot_env(), SECRET=SECRET, BODY=BODY, PORT=str(port), SPLIT=str(split), RCPT=RCPT)
        if client_port:
            env["CLIENT_PORT"] = str(client_port)
        client = subprocess.run(
            [sys.executable, "-c", SPLIT_CLIENT],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "235" in client.stdout and "sent" in client.stdout, client.stderr
        summary, lines = finish(proc)
    finally:
        controller.stop()
    # The secrets were sent a few bytes per segment: no packet alone could hold six bytes of
    # them, so the payloads are put together again, as tshark's "follow stream" does, before
    # looking (the packet-by-packet search passed the old scrubber, which kept them all).
    everything = pcap.read_bytes() + json.dumps(lines).encode() + _streams(pcap)
    for secret in (SECRET, BODY, base64.b64encode(SECRET.encode()).decode(), "hanako@"):
        for i in range(len(secret) - 5):
            assert secret[i : i + 6].encode() not in everything, (secret, secret[i : i + 6])
    assert summary["auth_seen"] is True
    assert summary["smtp_syn_total"] >= 1


RAW_SENDER = r"""
import socket, struct

def checksum(b):
    b += bytes(len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF

def ip4(proto, payload, frag=0):
    lo = socket.inet_aton("127.0.0.1")
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, frag, 64, proto, 0, lo, lo)
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload

syn = struct.pack("!HHIIBBHHH", 40000, 25, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
v4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
v4.sendto(ip4(6, bytes(16), frag=8), ("127.0.0.1", 0))  # a later fragment: no ports in it
v4.sendto(ip4(50, struct.pack("!II", 0x1234, 1) + bytes(32)), ("127.0.0.1", 0))  # ESP
v4.sendto(ip4(51, bytes([6, 4, 0, 0]) + struct.pack("!II", 0x1234, 1) + bytes(12) + syn),
          ("127.0.0.1", 0))  # AH, then a SYN to port 25
one = socket.inet_pton(socket.AF_INET6, "::1")
hop_by_hop = bytes([6, 0, 1, 4, 0, 0, 0, 0])
v6 = struct.pack("!IHBB16s16s", 6 << 28, len(hop_by_hop + syn), 0, 64, one, one)
socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW).sendto(
    v6 + hop_by_hop + syn, ("::1", 0))  # behind a hop-by-hop header, a SYN to port 25
"""


def test_what_the_analyser_cannot_read_or_must_walk_to_still_reaches_it_live(tmp_path):
    """The kernel filter passes what a port filter cannot see into: a later IPv4 fragment, ESP,
    a SYN to port 25 behind AH, and one behind an IPv6 hop-by-hop header. The analyser reads the
    two SYNs and counts the other two as unread (so a clean capture is unknown), instead of
    the filter dropping all four unseen (issue 27)."""
    proc, _pcap = start_capture(tmp_path, 4)
    time.sleep(0.5)
    subprocess.run([sys.executable, "-c", RAW_SENDER], check=True, timeout=30)
    summary, _lines = finish(proc)
    assert summary["unread"].get("fragment", 0) >= 1, summary["unread"]
    assert summary["unread"].get("encrypted", 0) >= 1, summary["unread"]
    assert summary["smtp_syn_total"] >= 2


def _streams(pcap: Path) -> bytes:
    """Each direction of each TCP connection in the file, its kept payloads in sequence order
    (a retransmission once)."""
    from scapy.all import TCP, rdpcap

    flows: dict[tuple, dict[int, bytes]] = {}
    for packet in rdpcap(str(pcap)):
        if TCP in packet and bytes(packet[TCP].payload):
            ip = packet[TCP].underlayer
            key = (ip.src, ip.dst, packet[TCP].sport, packet[TCP].dport)
            flows.setdefault(key, {})[packet[TCP].seq] = bytes(packet[TCP].payload)
    return b"\n".join(b"".join(parts[k] for k in sorted(parts)) for parts in flows.values())


def test_a_socks_request_for_port_25_is_seen_live_on_any_port(tmp_path):
    """The kernel filter passes a proxy's connect request whatever its port, so a bot that
    sends mail through a SOCKS proxy is seen although no packet goes to a mail port."""
    import socket
    import struct
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def accept() -> None:
        conn, _ = server.accept()
        conn.recv(64)
        conn.sendall(b"\x05\x00")
        conn.recv(64)
        conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    proc, _pcap = start_capture(tmp_path, 3)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"\x05\x01\x00")
        s.recv(2)
        s.sendall(b"\x05\x01\x00\x01" + bytes([198, 51, 100, 7]) + struct.pack("!H", 25))
        time.sleep(0.3)
    summary, _lines = finish(proc)
    server.close()
    assert [t["port"] for t in summary["tunnels"]] == [25]
    results = {r["id"]: r for r in summary["results"]}
    assert (results["TRAFFIC-SMTP"]["status"], results["TRAFFIC-SMTP"]["reason"]) == (
        "fail",
        "via_proxy",
    )


def test_kill_9_leaves_a_readable_pcap(tmp_path, mail_servers):
    proc, pcap = start_capture(tmp_path, 30)
    for _ in range(3):
        with smtplib.SMTP(SERVERS[0], 25, timeout=5) as s:
            s.ehlo("x")
    time.sleep(1.5)  # past one flush
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    from checks import pcapfile

    with pcap.open("rb") as fp:
        reader = pcapfile.Reader(fp)
        assert sum(1 for _ in reader.packets()) >= 3


def test_sigterm_stops_early_and_keeps_the_summary(tmp_path):
    proc, _pcap = start_capture(tmp_path, 60)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    summary, _lines = finish(proc)
    assert summary["stopped_by"] == "stopped"


def start_portable(*args: str) -> subprocess.Popen:
    """The capture through scapy's own sockets (the Windows/macOS path), started and past its
    first line, which must name that backend."""
    proc = subprocess.Popen(
        capture_argv(*args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, CLEARLINE_CAPTURE_BACKEND="scapy"),
    )
    proc.first = json.loads(proc.stdout.readline())
    assert proc.first["backend"] == "ScapySource"
    return proc


def test_portable_scapy_backend_on_a_namespace_link(tmp_path):
    """The path Windows (Npcap) and macOS (BPF) use, run here through scapy's Linux socket on a
    veth link (no loopback twins there)."""
    from tests.integration.conftest import make_namespace

    cleanup = make_namespace("clearline-sc", "clsc0", "clsc1", "10.231.9.2", "10.231.9.1")
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    controller = Controller(Sink(), hostname="10.231.9.2", port=25)
    controller.start()
    pcap = tmp_path / "scapy.pcap"
    proc = start_portable("clsc0", "4", "--json", "--pcap", str(pcap))
    try:
        client = (
            "import smtplib\nfor i in range(3):\n"
            "    s = smtplib.SMTP('10.231.9.2', 25, local_hostname='nsbot.invalid', timeout=5)\n"
            "    s.ehlo(); s.mail('a@spam.example'); s.quit()\n"
        )
        subprocess.run(
            ["ip", "netns", "exec", "clearline-sc", sys.executable, "-c", client],
            check=True,
            timeout=30,
        )
        summary, _lines = finish(proc)
    finally:
        controller.stop()
        cleanup()
    assert summary["smtp_syn_total"] == 3 and summary["smtp_sessions_completed"] == 3
    assert summary["ehlo_names"] == ["nsbot.invalid"]
    if shutil.which("tshark"):
        assert subprocess.run(["tshark", "-r", str(pcap)], capture_output=True).returncode == 0


def test_portable_backend_listens_on_every_interface_when_asked_for_all(tmp_path):
    """Windows and macOS capture through scapy, one socket per interface: "all" must watch
    every interface (mail sent over a second adapter or a VPN is not missed) and say which
    ones it watched. Two namespace links here, a bot behind each."""
    from tests.integration.conftest import make_namespace

    links = [
        ("clearline-pa", "clpa0", "clpa1", "10.231.11.2", "10.231.11.1"),
        ("clearline-pb", "clpb0", "clpb1", "10.231.12.2", "10.231.12.1"),
    ]
    cleanups = [make_namespace(*link) for link in links]
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    servers = [Controller(Sink(), hostname=link[3], port=25) for link in links]
    for server in servers:
        server.start()
    proc = start_portable("all", "5", "--json")
    try:
        for ns, _h, _n, server_ip, _c in links:
            client = (
                f"import smtplib\ns = smtplib.SMTP('{server_ip}', 25,"
                f" local_hostname='{ns}.invalid', timeout=5)\ns.ehlo(); s.quit()\n"
            )
            subprocess.run(
                ["ip", "netns", "exec", ns, sys.executable, "-c", client], check=True, timeout=30
            )
        summary, _lines = finish(proc)
    finally:
        for server in servers:
            server.stop()
        for cleanup in cleanups:
            cleanup()
    watched = summary["iface"].split(", ")
    assert {"clpa0", "clpb0"} <= set(watched) and proc.first["iface"] == summary["iface"]
    assert summary["smtp_syn_total"] == 2
    assert summary["ehlo_names"] == ["clearline-pa.invalid", "clearline-pb.invalid"]
    assert summary["kernel_drops"] is None  # not reported by this backend, never a false 0


def test_events_file_and_stop_file_for_an_elevated_capture(tmp_path):
    events, stop_file = tmp_path / "events.jsonl", tmp_path / "stop"
    proc = subprocess.Popen(
        capture_argv("lo", "60", "--events", str(events), "--stop-file", str(stop_file)),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)
    stop_file.touch()
    assert proc.wait(timeout=30) in (0, 1, 2)
    kinds = [json.loads(line)["type"] for line in events.read_text().splitlines()]
    assert kinds[0] == "start" and "progress" in kinds and kinds[-1] == "summary"
