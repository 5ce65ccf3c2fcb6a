"""SMTP-OUT on recorded Windows, macOS and Linux data."""

import json
from datetime import UTC, datetime, timedelta

from checks.model import Result, Status
from checks.probes.mail_connections import OWNER_ENDED, OWNER_HIDDEN, Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.smtp import interpret_outbound
from tests.recorded import replay

T0 = datetime(2026, 11, 20, 5, 2, 0, tzinfo=UTC)


def program(result, name):
    return next(p for p in result.facts["programs"] if p.get("name") == name)


def test_windows_bot_in_appdata_fails_and_is_named():
    result = interpret_outbound(replay("windows/mail_connections_infected.json"))
    assert result.status == Status.FAIL
    bot = program(result, "svchost.exe")
    assert bot["pid"] == 7420
    assert bot["exe"].endswith("\\AppData\\Roaming\\Microsoft\\Network\\svchost.exe")
    assert bot["verdict"] == "fail"
    assert set(bot["location"]) >= {"hidden", "impersonates"}
    # Five distinct port-25 servers over three polls, the TIME_WAIT copy counted once.
    assert bot["direct_servers"] == sorted(
        ["203.0.113.25", "198.51.100.7", "203.0.113.77", "198.51.100.61", "192.0.2.145"]
    )
    assert bot["connection_count"] == 5
    assert bot["parents"][0] == {"pid": 5012, "name": "explorer.exe"}
    assert result.summary == (
        "A program called svchost.exe in a hidden folder was sending mail directly to 5 mail"
        " servers."
    )
    assert "Disconnect" in result.advice[0]
    # Outlook on 587 is listed too, and judged fine on its own.
    assert program(result, "OUTLOOK.EXE")["verdict"] == "pass"


def test_windows_known_clients_on_submission_ports_pass():
    result = interpret_outbound(replay("windows/mail_connections_clean_user.json"))
    assert result.status == Status.PASS
    assert "Becky! Internet Mail" in result.summary and "Thunderbird" in result.summary


def test_macos_bot_in_per_user_temp_folder_fails():
    result = interpret_outbound(replay("macos/mail_connections_bot.json"))
    assert result.status == Status.FAIL
    bot = program(result, "softwareupdated")
    assert bot["location"] == ["temp", "hidden"]
    assert "a hidden temporary folder" in result.summary
    assert program(result, "Mail")["program"] == "Apple Mail"
    assert program(result, "Mail")["verdict"] == "pass"


def test_macos_without_root_is_unknown_not_pass():
    result = interpret_outbound(replay("macos/mail_connections_no_root.json"))
    assert result.status == Status.UNKNOWN
    assert result.facts["window"]["complete"] is False
    assert any("administrator" in a for a in result.advice)


def proc(pid, name, exe, create_time=1000.0, exists=True):
    return ProcessInfo(pid=pid, create_time=create_time, name=name, exe=exe, exe_exists=exists)


def obs(raddr, rport, owner=None, problem=None, lport=40000):
    return Observation("192.0.2.2", lport, raddr, rport, T0, T0, ["ESTABLISHED"], owner, problem)


def facts(*observations, polls=1, complete=True):
    return WatchFacts("linux", T0, T0 + timedelta(seconds=5), polls, list(observations), complete)


def test_unknown_program_on_port_25_in_normal_place_fails():
    r = interpret_outbound(facts(obs("203.0.113.1", 25, proc(10, "perl", "/usr/bin/perl"))))
    assert r.status == Status.FAIL
    assert "which normal mail programs never do" in r.summary


def test_unknown_program_on_587_warns():
    r = interpret_outbound(facts(obs("203.0.113.1", 587, proc(10, "python3", "/usr/bin/python3"))))
    assert r.status == Status.WARN
    assert "python3" in r.summary


def test_deleted_executable_fails_on_any_mail_port():
    r = interpret_outbound(
        facts(obs("203.0.113.1", 587, proc(10, "kworker", "/usr/lib/x/kworker", exists=False)))
    )
    assert r.status == Status.FAIL
    assert "deleted" in r.summary


def test_mail_server_delivering_directly_warns():
    r = interpret_outbound(
        facts(obs("203.0.113.1", 25, proc(10, "smtp", "/usr/lib/postfix/sbin/smtp")))
    )
    assert r.status == Status.WARN
    assert r.facts["programs"][0]["kind"] == "mail_server"


def test_mail_client_in_downloads_is_not_trusted():
    r = interpret_outbound(
        facts(obs("203.0.113.1", 587, proc(10, "thunderbird", "/home/u/Downloads/thunderbird")))
    )
    assert r.status == Status.FAIL


def test_unidentified_port_25_connection_is_not_a_pass():
    hidden = interpret_outbound(facts(obs("203.0.113.1", 25, problem=OWNER_HIDDEN)))
    ended = interpret_outbound(facts(obs("203.0.113.1", 25, problem=OWNER_ENDED)))
    assert hidden.status == ended.status == Status.WARN
    assert "administrator" in hidden.summary
    assert "ended before" in ended.summary


def test_no_connections_states_the_window_with_zone():
    r = interpret_outbound(facts(polls=50))
    assert r.status == Status.PASS
    assert r.summary == (
        "No program on this PC connected to a mail server during 20 November 2026,"
        " 05:02:00–05:02:05 (UTC+00:00)."
    )
    assert r.facts["window"]["mode"] == "watch"


def test_snapshot_without_connections_suggests_watching():
    r = interpret_outbound(facts(polls=1))
    assert r.status == Status.PASS
    assert any("several minutes" in a for a in r.advice)


def test_pid_reuse_is_two_programs_not_one():
    first = proc(4242, "svchost", "/tmp/.x/svchost", create_time=1000.0)
    reused = proc(4242, "thunderbird", "/usr/lib/thunderbird/thunderbird", create_time=2000.0)
    r = interpret_outbound(
        facts(
            obs("203.0.113.1", 25, first, lport=40001),
            obs("198.51.100.2", 587, reused, lport=40002),
        )
    )
    verdicts = {(p["name"], p["verdict"]) for p in r.facts["programs"]}
    assert verdicts == {("svchost", "fail"), ("thunderbird", "pass")}


def test_passwords_in_command_lines_are_masked():
    owner = ProcessInfo(
        pid=5,
        create_time=1.0,
        name="sendmail-helper",
        exe="/usr/bin/sendmail-helper",
        cmdline=("sendmail-helper", "--password", "hunter2", "smtp://bob:s3cret@mx.example:25"),
    )
    r = interpret_outbound(facts(obs("203.0.113.1", 25, owner)))
    text = r.to_json()
    assert "hunter2" not in text and "s3cret" not in text
    assert r.facts["programs"][0]["cmdline"] == [
        "sendmail-helper",
        "--password",
        "***",
        "smtp://bob:***@mx.example:25",
    ]


def test_a_result_made_in_english_reads_in_japanese():
    """Words are made when shown: the stored result has codes and params, no prose."""
    r = interpret_outbound(replay("windows/mail_connections_infected.json"))
    stored = Result.from_dict(json.loads(json.dumps(r.to_dict())))
    words = stored.words("ja")
    assert words.summary == (
        "隠しフォルダーから動いている「svchost.exe」というプログラムが、"
        "5 台のメールサーバーへ直接メールを送っていました。"
    )
    assert words.title == "この PC からメールサーバーへの接続"
    assert stored.words("en").summary.startswith("A program called svchost.exe")


def test_windows_time_wait_pid_0_is_ended_not_admin_needed():
    """psutil on Windows reports closed (TIME_WAIT) connections with pid 0 (the System Idle
    Process): the owner is gone, which administrator rights would not change."""
    from checks.probes import sockets
    from checks.probes.mail_connections import ConnectionWatch

    table = sockets.SocketTable(
        (sockets.Socket("192.168.10.23", 51000, "198.51.100.10", 25, "TIME_WAIT", pid=0),)
    )
    described = []
    watch = ConnectionWatch(
        use_proc=False,
        platform="windows",
        admin=False,
        read_table=lambda: table,
        describe=lambda pid: described.append(pid),
    )
    watch.poll()
    (obs,) = watch.observations.values()
    assert obs.owner is None and obs.owner_problem == OWNER_ENDED
    assert described == []  # pid 0 is never looked up as an owner
    r = interpret_outbound(watch.facts())
    assert "administrator" not in r.summary  # "ended before we could see", not "needs admin"
