"""A Japanese user name in Windows paths (C:\\Users\\山田太郎\\…): the program is judged by its
folder as for any name, the letter quotes the path unchanged, and "mask paths" hides the name."""

from dataclasses import replace
from datetime import timedelta

from checks.model import Status
from checks.probes.mail_connections import Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_outbound
from reports import bundle
from reports.report import letter_text
from tests.cases import JST, T0, TODAY, build

EXE = "C:\\Users\\山田太郎\\AppData\\Roaming\\Microsoft\\Network\\svchost.exe"


def bot_watch():
    bot = ProcessInfo(
        pid=7420,
        create_time=1763600000.0,
        name="svchost.exe",
        exe=EXE,
        exe_exists=True,
        user="DESKTOP-7Q2KJ3M\\山田太郎",
    )
    observations = [
        Observation(
            "192.168.10.23", 51000 + i, f"198.51.100.{10 + i}", 25, T0, T0, ["SYN_SENT"], bot
        )
        for i in range(3)
    ]
    facts = WatchFacts(
        "windows", T0, T0 + timedelta(minutes=5), 3000, observations, True, None, True
    )
    return replace(interpret_outbound(facts), started_at=T0, duration_ms=300000)


def test_a_bot_under_a_japanese_user_folder(tmp_path, monkeypatch):
    result = bot_watch()
    assert result.status == Status.FAIL
    found = result.facts["programs"][0]
    assert found["exe"] == EXE and "hidden" in found["location"]
    case = build("clean", tmp_path)
    case.add_results([result])
    assert f"（{EXE}）" in letter_text(case, "ja", JST, TODAY)
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "山田太郎")
    masked = bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False, mask_paths=True)
    letter = masked.files["letter.ja.txt"].decode("utf-8")
    assert "山田太郎\\AppData" not in letter and "C:\\Users\\<user>\\AppData" in letter
    plain = bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False)
    assert "山田太郎" in plain.personal.values()  # named as personal data when not masked
