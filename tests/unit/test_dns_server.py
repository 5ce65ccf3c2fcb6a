"""NET-DNS: the DNS server this PC was given, read from real configuration formats, and never a
verdict on an address we cannot place."""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks import dns_server
from checks.model import Status

# Written by systemd-resolved (its own header, verbatim) and by NetworkManager.
STUB = """# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
nameserver 127.0.0.53
options edns0 trust-ad
search .
"""
UPSTREAM = """# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).
nameserver 192.168.1.1
nameserver fe80::1%enp3s0
search flets-east.jp
"""


def test_behind_systemd_resolved_the_upstream_servers_are_read(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "run/systemd/resolve").mkdir(parents=True)
    (tmp_path / "etc/resolv.conf").write_text(STUB)
    (tmp_path / "run/systemd/resolve/resolv.conf").write_text(UPSTREAM)
    assert dns_server.linux_servers(tmp_path) == ["192.168.1.1", "fe80::1"]
    r = dns_server.interpret(dns_server.linux_servers(tmp_path))
    assert r.status == Status.PASS and r.reason == "router"


@pytest.mark.parametrize(
    ("servers", "status", "reason"),
    [
        (["192.168.1.1"], Status.PASS, "router"),
        (["8.8.8.8", "1.1.1.1"], Status.PASS, "public_resolver"),
        (["2001:4860:4860::8888"], Status.PASS, "public_resolver"),
        # A provider's own resolver and a hijacker's look alike from here: unknown, never fail.
        (["203.0.113.53"], Status.UNKNOWN, "unknown_public"),
        (["192.168.1.1", "198.51.100.9"], Status.UNKNOWN, "unknown_public"),
        ([], Status.UNKNOWN, "none"),
        (None, Status.UNKNOWN, "not_read_here"),
    ],
)
def test_what_each_kind_of_server_means(servers, status, reason):
    r = dns_server.interpret(servers)
    assert (r.status, r.reason) == (status, reason)
    assert r.words("en").summary and r.words("ja").summary


@given(st.lists(st.one_of(st.ip_addresses().map(str), st.text(max_size=20)), max_size=6))
def test_no_setting_makes_it_a_verdict(servers):
    """Whatever the setting, NET-DNS never says 'fail' or 'warn': it cannot know."""
    assert dns_server.interpret(servers).status in (Status.PASS, Status.UNKNOWN)


def test_windows_registry_values_are_space_or_comma_separated():
    assert dns_server.parse_windows_name_servers(
        ["192.168.1.1 8.8.8.8", "8.8.8.8,1.1.1.1", ""]
    ) == [
        "192.168.1.1",
        "8.8.8.8",
        "1.1.1.1",
    ]


def test_comments_and_zone_indexes_are_left_out():
    text = "; comment\nnameserver 10.0.0.1 # inline\nnameserver fe80::1%eth0\nnameserverx 9.9.9.9\n"
    assert dns_server.parse_resolv_conf(text) == ["10.0.0.1", "fe80::1"]


def test_this_machine_is_read_without_error():
    r = dns_server.run(None)
    assert r.id == "NET-DNS"


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows registry (run under Wine in CI)")
def test_the_windows_registry_is_read_per_interface():
    import winreg

    base = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
    name = base + r"\{c1ea711e-0000-4000-8000-000000000034}"
    try:
        key = winreg.CreateKey(winreg.HKEY_LOCAL_MACHINE, name)
    except PermissionError:
        pytest.skip("writing HKLM needs an administrator")
    try:
        with key:
            winreg.SetValueEx(key, "NameServer", 0, winreg.REG_SZ, "")
            winreg.SetValueEx(key, "DhcpNameServer", 0, winreg.REG_SZ, "192.168.10.1 203.0.113.53")
        servers = dns_server.windows_servers()
        assert servers[-2:] == ["192.168.10.1", "203.0.113.53"] or {
            "192.168.10.1",
            "203.0.113.53",
        } <= set(servers)
        assert dns_server.run(None).reason == "unknown_public"
    finally:
        winreg.DeleteKey(winreg.HKEY_LOCAL_MACHINE, name)
