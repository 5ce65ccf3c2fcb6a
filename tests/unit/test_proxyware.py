"""PROXYWARE: programs that sell the line, recognised only by the names their makers or a lab
published, and an honest answer about the ones not recognised."""

import pytest

from checks import proxyware
from checks.model import Status
from checks.proxyware import Seen


@pytest.mark.parametrize(
    ("seen", "product"),
    [
        (
            Seen(
                processes=[
                    ("net_updater64.exe", r"C:\Program Files\Free Game\luminati\net_updater64.exe")
                ]
            ),
            "Bright Data SDK",
        ),
        (Seen(services=["luminati_net_updater_win_mediaget_com"]), "Bright Data SDK"),
        (Seen(services=["Hola_Svc"]), "Hola VPN"),
        (Seen(paths=[r"%PROGRAMDATA%\BrightData"]), "Bright Data SDK"),
        (Seen(processes=[("earnapp", "/usr/bin/earnapp")]), "EarnApp"),
    ],
)
def test_each_published_name_is_recognised(seen, product):
    r = proxyware.interpret(seen)
    assert r.status == Status.FAIL and product in r.params["names"]
    assert product in r.words("en").summary and product in r.words("ja").summary
    assert r.words("en").advice[0].startswith("Uninstall it")


def test_nothing_recognised_says_what_was_not_looked_for():
    r = proxyware.interpret(Seen(processes=[("chrome.exe", "")], services=["Spooler"]))
    assert r.status == Status.PASS and r.reason == "none_known"
    summary = r.words("en").summary
    assert "Bright Data SDK, Hola VPN, EarnApp" in summary
    assert "not recognised" in summary


def test_this_machine_is_read_without_error():
    assert proxyware.run(None).id == "PROXYWARE"
