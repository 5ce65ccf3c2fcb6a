"""FW-STATUS: is a firewall on?"""

from __future__ import annotations

import re
from typing import Any

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_
from checks.model import CheckSpec, Result, Status, current_platform
from checks.updates import as_list

TITLE = N_("Firewall")

SUMMARIES = {
    "windows_unreadable": N_("We could not read the Windows Firewall settings."),
    "windows_public_off": N_("Windows Firewall is off for public networks ({profiles})."),
    "windows_partly_off": N_("Windows Firewall is not fully on: {profiles}."),
    "windows_on": N_("Windows Firewall is on for every network type."),
    "third_party_on": N_("The firewall of {names} is on; it takes the place of Windows Firewall."),
    "macos_unreadable": N_("We could not read the macOS firewall setting."),
    "macos_off": N_("The macOS firewall is off."),
    "macos_on": N_("The macOS firewall is on."),
    "linux_no_tool": N_(
        "No firewall software is installed (ufw, firewalld, nftables or iptables), so this system has no firewall rules."
    ),
    "ufw_allows_incoming": N_("ufw is active but lets every incoming connection in."),
    "ufw_active": N_("The firewall (ufw) is active."),
    "firewalld_running": N_("The firewall (firewalld) is running."),
    "nft_filters": N_("nftables rules filter incoming connections."),
    "iptables_filters": N_("iptables rules filter incoming connections."),
    "linux_needs_admin": N_("Reading the firewall rules needs administrator rights ({tools})."),
    "linux_no_filter": N_("No firewall rule filters incoming connections."),
}
ADVICE = {
    "windows_turn_on": N_(
        "Open Windows Security > Firewall & network protection and turn the firewall on for every network."
    ),
    "macos_turn_on": N_("Turn it on in System Settings > Network > Firewall."),
    "linux_turn_on": N_("Turn a firewall on, e.g. sudo apt install ufw && sudo ufw enable"),
    "rerun_admin": N_("Run the check again as administrator (sudo)."),
    "ufw_deny_incoming": N_(
        "Make ufw refuse incoming connections unless a rule allows them: sudo ufw default deny incoming"
    ),
}
wording.register(wording.Phrasebook({"FW-STATUS": TITLE}, SUMMARIES, ADVICE))


def _result(status, reason, advice=(), params=None, **facts) -> Result:
    return Result("FW-STATUS", status, reason, params or {}, tuple(advice), facts)


def interpret_windows(facts: dict[str, Any]) -> Result:
    profiles = as_list(facts.get("firewall")) if not facts.get("problem") else []
    if not profiles:
        return _result(
            Status.UNKNOWN,
            "windows_unreadable",
            error=(facts.get("errors") or {}).get("firewall") or facts.get("detail"),
        )
    # A firewall of another maker registered with Security Center replaces Windows Firewall.
    from checks.antivirus import decode_product_state

    others = [
        str(p.get("name"))
        for p in as_list(facts.get("firewall_products"))
        if isinstance(p, dict)
        and decode_product_state(int(p.get("product_state") or 0))["engine"] == "on"
        and not decode_product_state(int(p.get("product_state") or 0))["microsoft"]
    ]
    off = [p["name"] for p in profiles if str(p.get("enabled")) != "True"]
    if others and off:
        return _result(
            Status.PASS, "third_party_on", (), {"names": others}, profiles=profiles, products=others
        )
    allow = [
        p["name"]
        for p in profiles
        if str(p.get("enabled")) == "True" and p.get("default_inbound") == "Allow"
    ]
    out = {"profiles": profiles}
    advice = ["windows_turn_on"]
    if "Public" in off:
        return _result(Status.FAIL, "windows_public_off", advice, {"profiles": off}, **out)
    if off or allow:
        return _result(Status.WARN, "windows_partly_off", advice, {"profiles": off + allow}, **out)
    return _result(Status.PASS, "windows_on", **out)


def interpret_macos(facts: dict[str, Any]) -> Result:
    g = facts["global"]
    m = re.search(r"\(State = (\d)\)", g.get("stdout") or "")
    if g.get("problem") or not m:
        return _result(Status.UNKNOWN, "macos_unreadable", socketfilterfw=g)
    state = int(m.group(1))
    stealth = "enabled" in (facts.get("stealth", {}).get("stdout") or "").lower()
    out = {"state": state, "stealth": stealth}
    if state == 0:
        return _result(Status.WARN, "macos_off", ["macos_turn_on"], **out)
    return _result(Status.PASS, "macos_on", **out)


def _denied(cmd: dict[str, Any]) -> bool:
    text = (cmd.get("stderr") or "") + (cmd.get("stdout") or "")
    return cmd.get("problem") == "denied" or bool(
        re.search(
            r"(need to be root|Permission denied|Operation not permitted|must be root)", text, re.I
        )
    )


def nft_filters_input(ruleset: str) -> bool:
    """An nftables ruleset that drops or rejects something arriving at this machine."""
    for chain in re.finditer(r"chain \S+ \{(.*?)\n\s*\}", ruleset, re.S):
        body = chain.group(1)
        if "hook input" in body and (
            re.search(r"policy drop", body) or re.search(r"\b(drop|reject)\b", body)
        ):
            return True
    return False


def iptables_filters_input(rules: str) -> bool:
    return bool(
        re.search(r"^-P INPUT DROP", rules, re.M)
        or re.search(r"^-A INPUT .*-j (DROP|REJECT)", rules, re.M)
    )


def interpret_linux(facts: dict[str, Any]) -> Result:
    tools = {k: v for k, v in (facts.get("tools") or {}).items() if v}
    out: dict[str, Any] = {"tools": sorted(tools)}
    advice_on = ["linux_turn_on"]
    if not tools:
        return _result(Status.WARN, "linux_no_tool", advice_on, **out)
    denied = []
    ufw = facts.get("ufw")
    if ufw:
        if _denied(ufw):
            denied.append("ufw")
        elif re.search(r"^Status: active", ufw.get("stdout") or "", re.M):
            incoming = re.search(r"Default: (\w+) \(incoming\)", ufw["stdout"])
            out["ufw_default_incoming"] = incoming.group(1) if incoming else None
            if incoming and incoming.group(1) == "allow":
                return _result(Status.WARN, "ufw_allows_incoming", ["ufw_deny_incoming"], **out)
            return _result(Status.PASS, "ufw_active", **out)
    fwd = facts.get("firewalld")
    if fwd and (fwd.get("stdout") or "").strip() == "running":
        return _result(Status.PASS, "firewalld_running", **out)
    nft = facts.get("nft")
    if nft:
        if _denied(nft):
            denied.append("nft")
        elif nft.get("returncode") == 0 and nft_filters_input(nft.get("stdout") or ""):
            return _result(Status.PASS, "nft_filters", **out)
    ipt = facts.get("iptables")
    if ipt:
        if _denied(ipt):
            denied.append("iptables")
        elif ipt.get("returncode") == 0 and iptables_filters_input(ipt.get("stdout") or ""):
            return _result(Status.PASS, "iptables_filters", **out)
    if denied:
        out["needs_admin_for"] = denied
        return _result(
            Status.UNKNOWN, "linux_needs_admin", ["rerun_admin"], {"tools": denied}, **out
        )
    return _result(Status.WARN, "linux_no_filter", advice_on, **out)


def run(ctx: CheckContext) -> Result:
    platform = current_platform()
    if platform == "windows":
        from checks.probes import windows

        return interpret_windows(windows.facts(ctx))
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.firewall_facts(ctx))
    from checks.probes import linux

    return interpret_linux(linux.firewall_facts(ctx))


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "FW-STATUS", __name__, catalogue.AUDIT, catalogue.DEFENCE, fix="firewall", order=80
    ),
)

SPECS = (CheckSpec("FW-STATUS", TITLE, run, timeout=150.0),)
