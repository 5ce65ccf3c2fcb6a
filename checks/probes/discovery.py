"""The devices on the home network, by what they announce about themselves: mDNS/DNS-SD
service names, SSDP/UPnP device descriptions and NetBIOS names.

Sends only on the local network — multicast to the link (mDNS, SSDP) and unicast to private
neighbours (NetBIOS, a UPnP description on the device that offered it) — and only when the user
has said yes (Options.network; checks/lan.py asks). Everything is bounded: one wait of a couple
of seconds, small reads, at most MAX_NEIGHBOURS unicast queries. Nothing here decides anything.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from dataclasses import dataclass, field

MDNS = ("224.0.0.251", 5353)
SSDP = ("239.255.255.250", 1900)
NETBIOS_PORT = 137
MAX_NEIGHBOURS = 64
MAX_DESCRIPTION = 64 * 1024
MAX_DESCRIPTIONS = 16  # UPnP descriptions read, at most, and within DESCRIPTIONS_S in all
DESCRIPTIONS_S = 6.0
# DNS-SD service types that name what a device is (phones, TVs, printers, cameras, NAS).
SERVICE_TYPES = (
    "_services._dns-sd._udp.local",
    "_companion-link._tcp.local",
    "_apple-mobdev2._tcp.local",
    "_airplay._tcp.local",
    "_raop._tcp.local",
    "_googlecast._tcp.local",
    "_spotify-connect._tcp.local",
    "_ipp._tcp.local",
    "_printer._tcp.local",
    "_pdl-datastream._tcp.local",
    "_smb._tcp.local",
    "_afpovertcp._tcp.local",
    "_hap._tcp.local",
    "_rtsp._tcp.local",
    "_device-info._tcp.local",
    "_workstation._tcp.local",
)


@dataclass
class Announcement:
    """What one device said about itself through one protocol."""

    ip: str
    via: str  # "mdns", "ssdp", "netbios"
    name: str = ""
    services: list[str] = field(default_factory=list)
    manufacturer: str = ""
    model: str = ""
    device_type: str = ""
    server: str = ""


def _private(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.is_private and not address.is_loopback and not address.is_multicast


# --- mDNS / DNS-SD ----------------------------------------------------------------------------


def mdns_query() -> bytes:
    """One legacy-unicast query (RFC 6762 §6.7: sent from a port other than 5353, so responders
    answer us directly) asking for every service type and the common ones by name."""
    import dns.message
    import dns.name
    import dns.rdataclass
    import dns.rdatatype

    query = dns.message.make_query(SERVICE_TYPES[0], dns.rdatatype.PTR)
    for name in SERVICE_TYPES[1:]:
        query.find_rrset(
            query.question,
            dns.name.from_text(name),
            dns.rdataclass.IN,
            dns.rdatatype.PTR,
            create=True,
            force_unique=True,
        )
    query.id = 0
    query.flags = 0
    return query.to_wire()


# Services whose instance name is the name a person gave the device ("Taro's iPhone").
_NAMING_SERVICES = ("companion-link", "airplay", "googlecast", "raop", "device-info", "hap")
PTR, A, AAAA, TXT = 12, 1, 28, 16


def _name(data: bytes, offset: int) -> tuple[list[bytes], int]:
    """A DNS name at ``offset`` (compression followed, loops and overruns refused): its raw
    labels and the offset after it. mDNS responders compress where unicast DNS may not (Apple
    compresses NSEC's next name), which strict readers reject; this one reads what it meets."""
    labels: list[bytes] = []
    end = None
    for _jump in range(128):
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            continue
        if length == 0:
            return labels, (end if end is not None else offset + 1)
        if length > 63 or offset + 1 + length > len(data):
            raise ValueError("bad label")
        labels.append(data[offset + 1 : offset + 1 + length])
        offset += 1 + length
    raise ValueError("name loops")


def _text(labels: list[bytes]) -> str:
    return ".".join(label.decode("utf-8", "replace") for label in labels)


def records(data: bytes) -> list[tuple[list[bytes], int, bytes, int]]:
    """Every resource record of a DNS message: (owner labels, type, rdata, rdata offset)."""
    qd, an, ns, ar = struct.unpack(">HHHH", data[4:12])
    offset, out = 12, []
    for _q in range(qd):
        _labels, offset = _name(data, offset)
        offset += 4
    for _r in range(an + ns + ar):
        owner, offset = _name(data, offset)
        rtype, _cls, _ttl, length = struct.unpack(">HHIH", data[offset : offset + 10])
        offset += 10
        if offset + length > len(data):
            raise ValueError("record overruns the message")
        out.append((owner, rtype, data[offset : offset + length], offset))
        offset += length
    return out


def parse_mdns(data: bytes, ip: str) -> Announcement | None:
    """What a device says in an mDNS answer or announcement: its services, the name a person
    gave it (an instance name of a naming service), else its host name, and a model if told."""
    try:
        found_records = records(data)
    except (ValueError, IndexError, struct.error):
        return None
    found = Announcement(ip, "mdns")
    instances: list[tuple[str, str]] = []
    hosts: list[str] = []
    for owner, rtype, rdata, at in found_records:
        owner_text = _text(owner).lower()
        try:
            if rtype == PTR:
                target, _end = _name(data, at)
                if owner_text == SERVICE_TYPES[0]:
                    _add(found.services, _service_of(_text(target)))
                elif owner_text.endswith(".arpa"):
                    _add(hosts, _text(target).removesuffix(".local"))
                elif target and len(target) > len(owner):
                    service = _service_of(owner_text)
                    _add(found.services, service)
                    instances.append((service, target[0].decode("utf-8", "replace")))
            elif rtype in (A, AAAA) and owner:
                _add(hosts, _text(owner).removesuffix(".local"))
            elif rtype == TXT and ("_device-info" in owner_text or "_googlecast" in owner_text):
                given = _txt(rdata)
                found.model = given.get("model") or given.get("md") or found.model
                if given.get("fn"):  # a Cast device's friendly name ("Living Room TV")
                    instances.insert(0, ("googlecast", given["fn"]))
        except (ValueError, IndexError):
            continue
    for service, instance in instances:
        if service in _NAMING_SERVICES:
            found.name = instance.split("@", 1)[-1] if service == "raop" else instance
            break
    else:
        found.name = hosts[0] if hosts else (instances[0][1] if instances else "")
    return found if (found.services or found.name) else None


def _txt(rdata: bytes) -> dict[str, str]:
    """A TXT record's key=value strings (keys lower-cased; the first of a repeated key)."""
    out: dict[str, str] = {}
    offset = 0
    while offset < len(rdata):
        length = rdata[offset]
        chunk = rdata[offset + 1 : offset + 1 + length].decode("utf-8", "replace")
        key, _eq, value = chunk.partition("=")
        out.setdefault(key.lower(), value)
        offset += 1 + length
    return out


def _service_of(name: str) -> str:
    labels = name.split(".")
    for i, label in enumerate(labels):
        if label.lower() in ("_tcp", "_udp") and i > 0:
            return labels[i - 1].lstrip("_").lower()
    return name


def _add(items: list[str], item: str) -> None:
    if item and item not in items:
        items.append(item)


# --- SSDP / UPnP --------------------------------------------------------------------------------


SEARCH = (
    b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n'
    b"ST: ssdp:all\r\n\r\n"
)


def parse_ssdp(data: bytes, ip: str) -> Announcement | None:
    text = data[:4096].decode("latin-1", "replace")
    if not text.upper().startswith("HTTP/1.1 200"):
        return None
    headers = {}
    for line in text.split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    found = Announcement(ip, "ssdp", server=headers.get("server", "")[:120])
    st = headers.get("st", "")
    if st.startswith("urn:schemas-upnp-org:device:"):
        found.device_type = st
    found.services = [headers["location"]] if "location" in headers else []
    return found


def parse_description(body: bytes) -> dict[str, str]:
    """friendlyName, manufacturer, modelName and deviceType from a UPnP device description; {}
    for anything that is not plain XML (a DOCTYPE or entity is refused, not expanded)."""
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return {}
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        # Real devices serve broken XML (a Samsung TV's description uses namespace prefixes it
        # never declares): read the four plain elements by themselves.
        import re

        text = body[:MAX_DESCRIPTION].decode("utf-8", "replace")
        out: dict[str, str] = {}
        for tag in ("friendlyName", "manufacturer", "modelName", "deviceType"):
            found = re.search(rf"<{tag}>([^<]{{0,120}})</{tag}>", text)
            if found:
                out[tag] = found.group(1).strip()
        return out
    out = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("friendlyName", "manufacturer", "modelName", "deviceType") and tag not in out:
            out[tag] = (element.text or "").strip()[:120]
    return out


def _description(location: str, ip: str, timeout: float) -> dict[str, str]:
    """Read a description only from the device that announced it, on a private address."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    if parts.scheme != "http" or parts.hostname != ip or not _private(ip):
        return {}
    until = time.monotonic() + timeout
    body = b""
    try:
        conn = http.client.HTTPConnection(ip, parts.port or 80, timeout=timeout)
        conn.request("GET", parts.path or "/")
        response = conn.getresponse()
        # In small pieces against one deadline: a device trickling a byte a second is cut off.
        while response.status == 200 and len(body) <= MAX_DESCRIPTION:
            if time.monotonic() > until:
                return {}
            piece = response.read1(4096)
            if not piece:
                break
            body += piece
        conn.close()
    except (OSError, http.client.HTTPException, ValueError):
        return {}
    return parse_description(body) if len(body) <= MAX_DESCRIPTION else {}


# --- NetBIOS ------------------------------------------------------------------------------------


def nbstat_query(transaction: int) -> bytes:
    """A NetBIOS node status request for the wildcard name "*" (RFC 1002 §4.2.17)."""
    name = b"*" + b"\0" * 15
    encoded = bytes(c for b in name for c in (0x41 + (b >> 4), 0x41 + (b & 0x0F)))
    return (
        struct.pack(">HHHHHH", transaction, 0, 1, 0, 0, 0)
        + bytes([32])
        + encoded
        + b"\0"
        + struct.pack(">HH", 0x21, 1)
    )


def parse_nbstat(data: bytes, ip: str) -> Announcement | None:
    """The machine's own (unique, suffix 0x00) name from a node status response."""
    try:
        offset = 12
        while data[offset] != 0:  # the question name echoed back
            offset += data[offset] + 1
        offset += 1 + 2 + 2 + 4 + 2  # end, type, class, TTL, length
        count = data[offset]
        offset += 1
        for _i in range(count):
            entry = data[offset : offset + 18]
            if len(entry) < 18:
                break
            name = entry[:15].decode("latin-1").strip()
            suffix, flags = entry[15], struct.unpack(">H", entry[16:18])[0]
            if suffix == 0 and not flags & 0x8000 and name:
                return Announcement(ip, "netbios", name=name)
            offset += 18
    except (IndexError, struct.error):
        return None
    return None


# --- all three, in one bounded wait ---------------------------------------------------------------


def discover(
    interface_ip: str, neighbours: list[str], wait_s: float = 2.0
) -> tuple[list[Announcement], list[str]]:
    """Ask the link, wait ``wait_s``, and return what answered (and the problems met)."""
    problems: list[str] = []
    sockets: dict[str, socket.socket] = {}
    try:
        for kind, target, payload in (("mdns", MDNS, mdns_query()), ("ssdp", SSDP, SEARCH)):
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setblocking(False)
                s.bind((interface_ip, 0))
                s.setsockopt(
                    socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface_ip)
                )
                s.setsockopt(
                    socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255 if kind == "mdns" else 2
                )
                s.sendto(payload, target)
                sockets[kind] = s
            except OSError as exc:
                problems.append(f"{kind}: {exc}")
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            s.bind((interface_ip, 0))
            for i, ip in enumerate([n for n in neighbours if _private(n)][:MAX_NEIGHBOURS]):
                try:
                    s.sendto(nbstat_query(0x4C00 + i), (ip, NETBIOS_PORT))
                except OSError:
                    pass
            sockets["netbios"] = s
        except OSError as exc:
            problems.append(f"netbios: {exc}")
        found = _collect(sockets, time.monotonic() + wait_s)
    finally:
        for s in sockets.values():
            s.close()
    # A slow or hostile device on the network must not hold the check: a few descriptions, each
    # with a short timeout, all within one deadline.
    deadline, read = time.monotonic() + DESCRIPTIONS_S, 0
    for a in found:
        if a.via == "ssdp" and a.services:
            a.services, location = [], a.services[0]
            left = deadline - time.monotonic()
            if read >= MAX_DESCRIPTIONS or left <= 0.2:
                continue
            read += 1
            described = _description(location, a.ip, timeout=min(1.5, left))
            a.name = described.get("friendlyName", "")
            a.manufacturer = described.get("manufacturer", "")
            a.model = described.get("modelName", "")
            a.device_type = described.get("deviceType", "") or a.device_type
    return found, problems


def _collect(sockets: dict[str, socket.socket], deadline: float) -> list[Announcement]:
    import selectors

    parsers = {"mdns": parse_mdns, "ssdp": parse_ssdp, "netbios": parse_nbstat}
    found: list[Announcement] = []
    seen_ssdp: set[tuple[str, str]] = set()
    with selectors.DefaultSelector() as selector:
        for kind, s in sockets.items():
            selector.register(s, selectors.EVENT_READ, kind)
        while (left := deadline - time.monotonic()) > 0 and len(found) < 1000:
            for key, _mask in selector.select(left):
                try:
                    data, (ip, _port) = key.fileobj.recvfrom(9000)  # type: ignore[union-attr]
                except OSError:
                    continue
                if not _private(ip):
                    continue  # only the home network answers for the home network
                item = parsers[key.data](data, ip)
                if item is None:
                    continue
                if item.via == "ssdp":
                    mark = (ip, item.services[0] if item.services else item.device_type)
                    if mark in seen_ssdp:
                        continue
                    seen_ssdp.add(mark)
                found.append(item)
    return found
