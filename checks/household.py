"""The household's devices as one list: the neighbour table (address, maker from the OUI
registry) merged with what devices announced about themselves (checks/probes/discovery.py),
each given a kind (phone, TV, camera, printer, router, NAS, computer…) by the words it used.
Pure; and "new" against the devices a case saw before."""

from __future__ import annotations

from typing import Any

from checks.i18n import N_

KINDS = {
    "phone": N_("phone or tablet"),
    "tv": N_("TV or streaming box"),
    "camera": N_("camera"),
    "printer": N_("printer"),
    "router": N_("router"),
    "nas": N_("network storage (NAS)"),
    "computer": N_("computer"),
    "speaker": N_("speaker"),
    "console": N_("game console"),
    "unknown": N_("unknown kind"),
}
# What a device's announcements say about its kind, first match wins: service types (DNS-SD),
# UPnP device types, and words in names, models and makers.
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("router", ("internetgatewaydevice", "wanconnectiondevice")),
    ("printer", ("ipp", "printer", "pdl-datastream", "urn:schemas-upnp-org:device:printer")),
    ("camera", ("rtsp", "ipcamera", "ip camera", "netcam", "hikvision", "dahua", "webcam")),
    ("nas", ("afpovertcp", "synology", "qnap", "nas", "diskstation", "buffalo linkstation")),
    ("console", ("playstation", "xbox", "nintendo")),
    (
        "tv",
        (
            "googlecast",
            "bravia",
            "aquos",
            "regza",
            "viera",
            "[tv]",
            "display.tv",
            "fire tv",
            "firetv",
            "chromecast",
            "android tv",
            "androidtvremote",
            "roku",
            "apple tv",
            "appletv",
            " tv",
        ),
    ),
    (
        "speaker",
        ("spotify-connect", "sonos", "homepod", "echo", "denon", "yamaha", "marantz", "bose"),
    ),
    ("tv", ("mediarenderer",)),
    # Names before services: an iPhone, an iPad, a Mac and an Apple TV all offer companion-link.
    ("computer", ("macbook", "imac", "mac mini", "mac-mini", "desktop-", "laptop", "win-")),
    ("phone", ("iphone", "ipad", "android", "galaxy", "pixel", "xperia")),
    ("phone", ("companion-link", "apple-mobdev2")),
    ("computer", ("workstation", "smb")),
    ("speaker", ("raop",)),
)


def kind_of(words: list[str]) -> str:
    text = " " + " ".join(w.lower() for w in words if w) + " "
    for kind, marks in _RULES:
        if any(mark in text for mark in marks):
            return kind
    return "unknown"


def merge(devices: list[dict[str, Any]], announcements: list[Any]) -> list[dict[str, Any]]:
    """Each device once, by address: the neighbour table's entry with the names, maker, model
    and kind its announcements give (devices that only announced themselves are added)."""
    by_ip: dict[str, dict[str, Any]] = {d["ip"]: dict(d) for d in devices if d.get("ip")}
    for a in announcements:
        d = by_ip.setdefault(a.ip, {"ip": a.ip, "mac": None, "vendor": None})
        d.setdefault("names", [])
        d.setdefault("services", [])
        d.setdefault("found_by", [])
        if a.name and a.name not in d["names"]:
            d["names"].append(a.name)
        for s in a.services:
            if s not in d["services"]:
                d["services"].append(s)
        if a.via not in d["found_by"]:
            d["found_by"].append(a.via)
        for key, value in (
            ("manufacturer", a.manufacturer),
            ("model", a.model),
            ("device_type", a.device_type),
            ("server", a.server),
        ):
            if value and not d.get(key):
                d[key] = value
    for d in by_ip.values():
        d["name"] = (d.get("names") or [""])[0]
        d["maker"] = d.get("manufacturer") or d.get("vendor") or ""
        d["kind"] = kind_of(
            [
                *d.get("names", []),
                *d.get("services", []),
                d.get("device_type") or "",
                d.get("model") or "",
                d.get("maker") or "",
                d.get("server") or "",
            ]
        )
    return sorted(by_ip.values(), key=lambda d: _ip_key(d["ip"]))


def mark_new(devices: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> int:
    """Flag each device not in ``earlier`` (by MAC, else by address) as new; return how many."""
    macs = {d.get("mac") for d in earlier if d.get("mac")}
    ips = {d.get("ip") for d in earlier if not d.get("mac")}
    new = 0
    for d in devices:
        d["new"] = not (d.get("mac") in macs if d.get("mac") else d.get("ip") in ips)
        new += d["new"]
    return new


def _ip_key(ip: str) -> tuple:
    import ipaddress

    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return (9, 0, ip)
    return (address.version, int(address), "")
