"""A small household for tests: several devices, each on an address of its own inside a test
network namespace, answering as real ones do — mDNS/DNS-SD (legacy unicast answers, RFC 6762
§6.7), SSDP M-SEARCH with a UPnP description served over HTTP, and NetBIOS node status.

    fake_household.py LINK_IP DEVICES_JSON
DEVICES_JSON: [{"ip": ..., "mdns": [instance, service] | null, "host": name | null,
                "upnp": {"friendlyName": ..., "manufacturer": ..., "modelName": ...,
                         "deviceType": ...} | null, "netbios": name | null}, ...]
Prints "ready" when every socket listens; appends one line per query it receives to the file
named by HOUSEHOLD_LOG (so a test can tell that nothing was asked).
"""

import json
import os
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dnslib import PTR, QTYPE, RR, A, DNSRecord

LINK_IP = sys.argv[1]
LOG = os.environ.get("HOUSEHOLD_LOG")
_log_lock = threading.Lock()


def heard(kind: str, peer) -> None:
    if LOG:
        with _log_lock, open(LOG, "a") as f:
            f.write(f"{kind} {peer[0]}\n")


DEVICES = json.loads(sys.argv[2])
HTTP_PORT = 8008


def description(upnp: dict) -> bytes:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in upnp.items())
    return (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion>'
        f"<major>1</major><minor>0</minor></specVersion><device>{fields}</device></root>"
    ).encode()


def mdns_loop() -> None:
    s = _group("224.0.0.251", 5353)
    senders = {d["ip"]: _bound(d["ip"]) for d in DEVICES if d.get("mdns") or d.get("host")}
    while True:
        data, peer = s.recvfrom(9000)
        heard("mdns", peer)
        query = DNSRecord.parse(data)
        asked = {str(q.qname).rstrip(".") for q in query.questions}
        for d in DEVICES:
            if d["ip"] not in senders:
                continue
            reply = query.reply()
            reply.header.aa = 1
            if d.get("mdns"):
                instance, service = d["mdns"]
                stype = f"_{service}._tcp.local"
                if "_services._dns-sd._udp.local" in asked:
                    reply.add_answer(
                        RR("_services._dns-sd._udp.local", QTYPE.PTR, rdata=PTR(stype), ttl=120)
                    )
                if stype in asked:
                    reply.add_answer(
                        RR(stype, QTYPE.PTR, rdata=PTR(f"{instance}.{stype}"), ttl=120)
                    )
            if d.get("host"):
                reply.add_ar(RR(f"{d['host']}.local", QTYPE.A, rdata=A(d["ip"]), ttl=120))
            if reply.rr or reply.ar:
                senders[d["ip"]].sendto(reply.pack(), peer)


def ssdp_loop() -> None:
    s = _group("239.255.255.250", 1900)
    senders = {d["ip"]: _bound(d["ip"]) for d in DEVICES if d.get("upnp")}
    while True:
        data, peer = s.recvfrom(9000)
        if not data.startswith(b"M-SEARCH"):
            continue
        heard("ssdp", peer)
        for d in DEVICES:
            if d["ip"] in senders:
                st = d["upnp"].get("deviceType", "upnp:rootdevice")
                answer = (
                    "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                    f"LOCATION: http://{d['ip']}:{HTTP_PORT}/desc.xml\r\n"
                    "SERVER: Linux/4.9 UPnP/1.0 test/1.0\r\n"
                    f"ST: {st}\r\nUSN: uuid:{d['ip']}::{st}\r\n\r\n"
                )
                senders[d["ip"]].sendto(answer.encode(), peer)


def http_server(device: dict) -> None:
    body = description(device["upnp"])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200 if self.path == "/desc.xml" else 404)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer((device["ip"], HTTP_PORT), Handler).serve_forever()


def netbios_loop(device: dict) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((device["ip"], 137))
    while True:
        data, peer = s.recvfrom(1024)
        heard("netbios", peer)
        if len(data) < 50:
            continue
        names = [(device["netbios"], 0, 0x0400), ("WORKGROUP", 0, 0x8400)]
        body = bytes([len(names)]) + b"".join(
            n.ljust(15).encode() + bytes([suffix]) + struct.pack(">H", flags)
            for n, suffix, flags in names
        )
        body += b"\0" * 46
        answer = data[12:46] + struct.pack(">HHIH", 0x21, 1, 0, len(body)) + body
        s.sendto(data[:2] + struct.pack(">HHHHH", 0x8400, 0, 1, 0, 0) + answer, peer)


def _group(group: str, port: int) -> socket.socket:
    """A socket hearing a multicast group on the household's link."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    s.setsockopt(
        socket.IPPROTO_IP,
        socket.IP_ADD_MEMBERSHIP,
        socket.inet_aton(group) + socket.inet_aton(LINK_IP),
    )
    return s


def _bound(ip: str) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    return s


def main() -> None:
    threads = [threading.Thread(target=mdns_loop), threading.Thread(target=ssdp_loop)]
    for d in DEVICES:
        if d.get("upnp"):
            threads.append(threading.Thread(target=http_server, args=(d,)))
        if d.get("netbios"):
            threads.append(threading.Thread(target=netbios_loop, args=(d,)))
    for t in threads:
        t.daemon = True
        t.start()
    import time

    time.sleep(0.5)
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
