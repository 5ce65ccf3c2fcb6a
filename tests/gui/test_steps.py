"""Walk the five steps as a user would, with injected results, the real runner, and a capture
stand-in that replays a recorded JSON-lines stream."""

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from checks import i18n
from checks.model import Result, Status
from tests.recorded import DATA

pytestmark = pytest.mark.gui
HERE = Path(__file__).parent


def type_text(widget, text):
    """Type like a user with an input method (QTest.keyClicks knows only ASCII)."""
    from PySide6.QtGui import QInputMethodEvent

    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def injected_run(ids, network, watch=0.0, case_path=None, public_ip=None, *, progress, cancel):
    from cases.store import Case

    bot = {
        "reason": "suspicious_location",
        "status": "fail",
        "name": "svchost.exe",
        "path": "C:/Users/taro/AppData/Local/Temp/.x/svchost.exe",
        "location": ["temp", "hidden"],
        "direct_servers": ["198.51.100.1", "198.51.100.2", "198.51.100.3"],
        "destinations": ["198.51.100.1:25"],
    }
    results = [
        Result(
            "SMTP-OUT",
            Status.FAIL,
            "suspicious_location",
            {"programs": [bot]},
            facts={"programs": []},
        ),
        Result("OS-UPDATES", Status.WARN, "security_pending", {"n": 3, "s": 2}),
        Result("FW-STATUS", Status.PASS, "windows_on"),
    ]
    for r in results:
        time.sleep(0.05)
        if case_path:
            Case(case_path).add_results([r])
        progress(r)
    return results


def replay_command(seconds, case):
    return [
        sys.executable,
        str(HERE / "replay_capture.py"),
        str(DATA / "linux/capture_replay.jsonl"),
        "0.05",
        "--case",
        case,
    ]


def test_a_new_user_walks_from_step_1_to_a_saved_bundle(make_window, qtbot, monkeypatch, tmp_path):
    w = make_window(run_checks=injected_run, capture_command=replay_command)
    notice, checks, watch, fix, reply = w.pages
    # 1. What happened: paste the notice, analyse.
    notice.text.setPlainText((DATA / "notices/notice_ja.txt").read_text(encoding="utf-8"))
    notice.analyse_button.click()
    qtbot.waitUntil(lambda: "ABUSE-2026-112034" in notice.result.text(), timeout=10000)
    # 2. Check this PC: cards stream in.
    w.go(2)
    checks.start_button.click()
    qtbot.waitUntil(lambda: not checks.running, timeout=10000)
    assert checks.cards.count() == 3
    assert checks.progress.value() == checks.progress.maximum()
    # 3. Watch the line: the capture stand-in's progress and summary arrive.
    w.go(3)
    watch.start_button.click()
    qtbot.waitUntil(lambda: watch.table.rowCount() > 0, timeout=15000)
    assert "5" in watch.counters.text() or watch.chart.values
    assert "TRAFFIC-SMTP" in {r.id for r in w.session.results()}
    # 4. Fix: tick "scan" as done; the date is recorded in the case.
    w.go(4)
    fix.rows["scan"][2].setChecked(True)
    qtbot.waitUntil(lambda: "scan" in w.session.case.remediation(), timeout=5000)
    # 5. Reply: details, letter, bundle.
    w.go(5)
    type_text(reply.fields["name"], "山田 太郎")
    qtbot.keyClicks(reply.fields["contract_id"], "EX-0012345")
    reply.lang_buttons["ja"].setChecked(True)
    reply.render()
    qtbot.waitUntil(lambda: "山田 太郎" in reply.letter.toPlainText(), timeout=15000)
    assert "ABUSE-2026-112034" in reply.letter.toPlainText()
    qtbot.waitUntil(lambda: "results.json" in reply.contents.text(), timeout=15000)
    out = tmp_path / "bundle.zip"
    monkeypatch.setattr(
        "gui.pages.reply_page.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "")
    )
    reply.save_button.click()
    qtbot.waitUntil(lambda: out.exists(), timeout=60000)
    with zipfile.ZipFile(out) as zf:
        assert "山田 太郎" in zf.read("letter.ja.txt").decode()
    from reports.bundle import verify

    assert verify(out).ok


def test_real_runner_on_this_machine(make_window, qtbot):
    from checks import registry

    w = make_window()
    checks = w.pages[1]
    w.go(2)
    checks.start_button.click()
    qtbot.waitUntil(lambda: not checks.running, timeout=120000)
    ran = {r.id for r in w.session.results()}
    assert {s.id for s in registry.ALL if not s.needs_network} <= ran
    assert all(r.status != Status.ERROR for r in w.session.results())


def test_event_loop_never_stalls_while_checks_run(make_window, qtbot):
    w = make_window()
    checks = w.pages[1]
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick():
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    qtbot.wait(50)
    last[0] = time.monotonic()
    timer.start(10)
    checks.start()
    qtbot.waitUntil(lambda: not checks.running, timeout=120000)
    timer.stop()
    assert len(gaps) > 20
    assert max(gaps) < 0.1, f"the GUI thread stalled for {max(gaps) * 1000:.0f} ms"


def visible_texts(w):
    texts = []
    for widget in [*w.findChildren(QLabel), *w.findChildren(QPushButton)]:
        if widget.isVisibleTo(w) and widget.text().strip():
            texts.append(widget.text())
    return texts


def test_language_switch_rerenders_every_visible_text(make_window, qtbot):
    w = make_window(run_checks=injected_run)
    for step in range(1, 6):
        w.go(step)
        before = visible_texts(w)
        w.set_language("ja")
        after = visible_texts(w)
        changed = [a for a, b in zip(after, before, strict=False) if a != b]
        assert len(changed) >= len(before) * 0.7, (
            step,
            [b for a, b in zip(after, before, strict=False) if a == b],
        )
        assert w.steps.item(0).text() == "1. 何が起きたか"
        w.set_language("en")
    qtbot.waitUntil(lambda: not w.pages[1].running, timeout=10000)


def test_the_case_is_restored_after_a_crash(make_window, qtbot):
    w = make_window(run_checks=injected_run)
    w.pages[0].text.setPlainText("受付番号：AB-1 2026年11月20日 14時05分")
    w.pages[0].analyse()
    qtbot.waitUntil(lambda: w.session.case.notice() is not None, timeout=10000)
    w.pages[4].fields["name"].setText("")
    qtbot.keyClicks(w.pages[4].fields["name"], "Hanako")
    # Typing is written by the background writer within half a second.
    qtbot.waitUntil(lambda: w.session.case.details()["name"] == "Hanako", timeout=3000)
    w.pages[1].start()
    qtbot.waitUntil(lambda: not w.pages[1].running, timeout=10000)
    case = w.session.case.path
    # A crash: no close event, no goodbye; the next start finds the same case.
    w2 = make_window(run_checks=injected_run)
    assert w2.session.case.path == case
    # Step 1's notice and analysis are read on a worker right after the first paint.
    qtbot.waitUntil(lambda: "AB-1" in w2.pages[0].result.text(), timeout=5000)
    assert w2.pages[0].text.toPlainText().startswith("受付番号：AB-1")
    # Step 5's fields are read on a worker too.
    qtbot.waitUntil(lambda: w2.pages[4].fields["name"].text() == "Hanako", timeout=5000)
    qtbot.waitUntil(lambda: w2.pages[1].cards.count() == 3, timeout=5000)


def test_without_admin_the_capture_falls_back_to_the_connection_watch(make_window, qtbot):
    def failing(seconds, case):
        line = json.dumps({"type": "error", "reason": "needs administrator rights"})
        return [sys.executable, "-c", f"print({line!r}); raise SystemExit(3)"]

    w = make_window(capture_command=failing)
    watch = w.pages[2]
    watch.minutes.setValue(1)
    watch.start_button.click()
    qtbot.waitUntil(lambda: watch.watch_worker is not None, timeout=10000)
    assert "cannot see mail-server lookups" in watch.outcome.text()
    watch.stop()
    qtbot.waitUntil(lambda: watch.watch_worker is None, timeout=20000)
    assert i18n  # language module in use by the window
    assert QApplication.instance() is not None


def test_a_detached_capture_is_followed_through_its_events_file(make_window, qtbot):
    """The path of a capture started through the Windows administrator prompt, whose output the
    window cannot read: it follows the events file instead."""
    import subprocess

    started = []

    def launcher(argv):
        started.append(argv)
        subprocess.Popen(argv)
        return True

    w = make_window(capture_command=replay_command)
    watch = w.pages[2]
    watch.detached_launcher = launcher
    watch.start_button.click()
    qtbot.waitUntil(lambda: watch.table.rowCount() > 0, timeout=15000)
    assert "--events" in started[0] and "--stop-file" in started[0]
    assert "TRAFFIC-SMTP" in {r.id for r in w.session.results()}
    assert watch.start_button.isEnabled()


def test_macos_prompt_quotes_the_command(monkeypatch):
    import subprocess

    from app import elevation

    seen = []
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: seen.append(args) or "process")
    assert elevation.elevate_macos(["/usr/bin/python3", "main.py", "--events", '/tmp/a "b"/x'])
    script = seen[0][2]
    assert script.startswith('do shell script "') and script.endswith(
        '" with administrator privileges'
    )
    assert "'/tmp/a \\\"b\\\"/x'" in script


def test_switching_language_keeps_a_long_watch_and_rewords_it(make_window, qtbot):
    """The first round re-ran the checks on a language switch: a 10-minute watch became a
    0-second snapshot. Results now hold codes; the switch only re-words them."""
    from tests.cases import T0, clean_watch

    runs = []

    def counting_run(*args, **kwargs):
        runs.append(args)
        return injected_run(*args, **kwargs)

    w = make_window(run_checks=counting_run)
    watch = clean_watch(T0, minutes=10)
    w.session.case.add_results([watch])
    w.set_language("en")
    w.pages[1].show_results(w.session.results())
    w.go(2)
    w.set_language("ja")
    stored = {r.id: r for r in w.session.results()}["SMTP-OUT"]
    assert stored == watch  # the same result: nothing ran again
    assert stored.facts["window"]["mode"] == "watch" and not runs
    from gui.cards import ResultCard

    cards = w.pages[1].findChildren(ResultCard)
    smtp = next(c for c in cards if c.result.id == "SMTP-OUT")
    assert "メールサーバー" in smtp.summary.text()
    assert "の間" in smtp.summary.text()  # "during …": the watch, not a snapshot
    w.set_language("en")
    assert smtp.summary.text().startswith("No program on this PC connected to a mail server during")


def test_step_5_shows_whether_the_pc_was_on_at_the_reported_times(make_window, qtbot, monkeypatch):
    from tests.cases import JST

    # A Japanese user's PC: the notice's zone-less times are read in its zone.
    monkeypatch.setattr("checks.notice.local_zone_for", lambda lang: JST)
    w = make_window(run_checks=injected_run)
    w.session.power_events = {
        "events": [
            {"time": "2026-11-20T04:50:11+00:00", "kind": "shutdown", "source": "wtmp"},
            {"time": "2026-11-20T06:10:02+00:00", "kind": "boot", "source": "wtmp"},
        ]
    }
    notice, reply = w.pages[0], w.pages[4]
    notice.text.setPlainText((DATA / "notices/notice_ja.txt").read_text(encoding="utf-8"))
    notice.analyse_button.click()
    qtbot.waitUntil(lambda: "ABUSE-2026-112034" in notice.result.text(), timeout=10000)
    assert "NOTICE-UPTIME" in {r.id for r in w.session.results()}  # made by the window too
    w.go(5)
    reply.lang_buttons["ja"].setChecked(True)
    reply.render()
    qtbot.waitUntil(lambda: "Was this PC on" in reply.findings.text(), timeout=10000)
    assert "not running" in reply.findings.text()
    qtbot.waitUntil(lambda: "電源が入っていなかった" in reply.letter.toPlainText(), timeout=10000)


def test_the_case_is_read_off_the_gui_thread_and_typing_is_never_replaced(
    make_window, qtbot, monkeypatch
):
    """The window opens without reading the case on the GUI thread; what it held arrives a
    moment later, and a notice typed meanwhile stays."""
    import threading

    from cases import store
    from gui.main_window import MainWindow
    from gui.session import Session

    w = make_window()
    w.pages[0].text.setPlainText("受付番号：AB-1 2026年11月20日 14時05分")
    w.pages[0].analyse()
    qtbot.waitUntil(lambda: "AB-1" in w.pages[0].result.text(), timeout=10000)
    on_gui_thread = []
    real = store.Case._read_bytes

    def spy(self, name):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(self, name)

    monkeypatch.setattr(store.Case, "_read_bytes", spy)
    w2 = MainWindow(Session.restore_or_create(make_window.settings))
    qtbot.addWidget(w2)
    w2.show()
    assert not any(on_gui_thread)
    type_text(w2.pages[0].text, "typed before the case was read")
    qtbot.waitUntil(lambda: "AB-1" in w2.pages[0].result.text(), timeout=5000)
    assert w2.pages[0].text.toPlainText() == "typed before the case was read"


def test_a_damaged_case_file_is_named_and_every_step_still_opens(make_window, qtbot):
    w = make_window(run_checks=injected_run)
    case = w.session.case
    case.add_results([Result("FW-STATUS", Status.WARN, "linux_no_filter")])
    case.set_details(name="Hanako")
    (case.path / "results.json").write_bytes(b"\x00\x01 not json")
    w2 = make_window(run_checks=injected_run)
    # Named as soon as the case is read, on a worker right after the first paint.
    qtbot.waitUntil(lambda: "results.json" in w2.statusBar().currentMessage(), timeout=5000)
    for step in range(1, 6):
        w2.go(step)
        qtbot.wait(20)
    # The rest of the case is used.
    qtbot.waitUntil(lambda: w2.pages[4].fields["name"].text() == "Hanako", timeout=5000)


def test_a_cancelled_administrator_prompt_falls_back_instead_of_waiting(make_window, qtbot):
    """macOS: osascript exits non-zero when the prompt is cancelled and no capture ever
    starts; the page must not wait forever."""
    import subprocess

    def cancelled_prompt(argv):
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])

    w = make_window(capture_command=replay_command)
    watch = w.pages[2]
    watch.detached_launcher = cancelled_prompt
    watch.minutes.setValue(1)
    watch.start_button.click()
    qtbot.waitUntil(lambda: watch.watch_worker is not None, timeout=10000)
    assert "administrator password was not given" in watch.outcome.text()
    watch.stop()
    qtbot.waitUntil(lambda: watch.watch_worker is None, timeout=20000)


def test_the_capture_command_forces_utf8_and_the_macos_prompt_is_the_default(monkeypatch):
    from app import elevation

    argv = elevation.capture_argv(60, "/tmp/case")
    assert argv[argv.index("-X") + 1] == "utf8"
    monkeypatch.setattr(elevation.sys, "platform", "darwin")
    monkeypatch.setattr(elevation.os, "geteuid", lambda: 501, raising=False)
    assert elevation.detached_launcher() is elevation.elevate_macos


def test_the_mail_draft_goes_to_the_desk_with_the_reference_and_fits_a_mailto_link(
    make_window, qtbot
):
    from urllib.parse import quote

    w = make_window(run_checks=injected_run)
    notice, reply = w.pages[0], w.pages[4]
    notice.text.setPlainText(
        (DATA / "notices/notice_mail_subject_ref.eml").read_text(encoding="utf-8")
    )
    notice.analyse_button.click()
    qtbot.waitUntil(lambda: "ABU-2026-1120-0042" in notice.result.text(), timeout=10000)
    w.go(5)
    reply.lang_buttons["ja"].setChecked(True)
    reply.render()
    qtbot.waitUntil(lambda: "約3,700通" in reply.letter.toPlainText(), timeout=10000)
    recipient, subject, body, _whole = reply.mail_draft()
    assert recipient == "abuse@sample-net.example.jp"
    assert "ABU-2026-1120-0042" in subject
    assert len(quote(body)) <= reply.MAILTO_BODY_LIMIT
    assert f"clearline-{w.session.case.path.name}.zip" in body


def test_an_edited_letter_is_marked_can_go_back_and_warns_when_facts_change(make_window, qtbot):
    w = make_window(run_checks=injected_run)
    reply = w.pages[4]
    w.go(5)
    reply.lang_buttons["en"].setChecked(True)
    reply.render()
    qtbot.waitUntil(lambda: "Dear Sir or Madam" in reply.letter.toPlainText(), timeout=10000)
    generated = reply.letter.toPlainText()
    reply.letter.appendPlainText("PS: my own words")
    assert reply.revert_button.isVisibleTo(reply) and reply.is_edited
    qtbot.waitUntil(lambda: w.session.case.edited_letter("en") is not None, timeout=5000)
    # New evidence arrives: the generated letter changes, the edited one is now out of date.
    w.pages[1].start()
    qtbot.waitUntil(lambda: not w.pages[1].running, timeout=10000)
    reply.render()
    qtbot.waitUntil(lambda: reply.is_stale, timeout=10000)
    assert "findings changed" in reply.edited_note.text()
    assert "PS: my own words" in reply.letter.toPlainText()
    reply.revert_button.click()
    assert reply.letter.toPlainText() != generated  # the new generated letter, not the old one
    assert "PS: my own words" not in reply.letter.toPlainText()
    qtbot.waitUntil(lambda: w.session.case.edited_letter("en") is None, timeout=5000)


@pytest.mark.parametrize(
    ("result", "removal_shown"),
    [
        (Result("AV-STATUS", Status.FAIL, "none_on"), False),  # no scanner: a fix, not malware
        (Result("AV-STATUS", Status.FAIL, "scan_found", params={"n": 2}), True),
        (Result("SMTP-OUT", Status.FAIL, "direct"), True),
        (Result("FW-STATUS", Status.FAIL, "off"), False),
    ],
)
def test_step_4_offers_removal_only_when_a_result_says_infected(
    make_window, qtbot, result, removal_shown
):
    """Step 4 and the assessment read one catalogue: removal and reinstalling are offered when
    a program sent or relayed mail or a scanner found malware, not for a missing scanner."""
    w = make_window(run_checks=injected_run)
    w.session.case.add_results([result])
    fix = w.pages[3]
    w.go(4)
    fix.refresh()  # read on a worker
    qtbot.waitUntil(lambda: not fix.reading, timeout=5000)
    for step in ("removal", "reinstall"):
        assert fix.rows[step][0].isVisibleTo(fix) is removal_shown, step
    assert fix.rows["scan"][0].isVisibleTo(fix)


def test_every_place_the_catalogue_names_can_be_opened_or_explained():
    from checks import catalogue
    from gui.pages import fix_page

    for entry in catalogue.CATALOGUE:
        if entry.fix:
            assert fix_page.why_no_button(entry.fix), entry


def test_a_saved_bundle_is_said_out_of_date_when_the_case_changes(
    make_window, qtbot, monkeypatch, tmp_path
):
    """Issue 32: after ticking a step, step 5 still said 'Saved' and the zip held the old
    letter. Any change after saving says so and asks to save again."""
    w = make_window(run_checks=injected_run)
    reply, fix = w.pages[4], w.pages[3]
    w.go(5)
    out = tmp_path / "bundle.zip"
    monkeypatch.setattr(
        "gui.pages.reply_page.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "")
    )
    reply.save_bundle()
    qtbot.waitUntil(lambda: reply.saved_path == str(out), timeout=60000)
    assert str(out) in reply.status.text() and "changed" not in reply.status.text()
    w.go(4)
    fix.rows["scan"][2].setChecked(True)  # a step done after the bundle was saved
    qtbot.waitUntil(lambda: "changed after you saved" in reply.status.text(), timeout=5000)
    w.go(5)
    reply.save_bundle()
    qtbot.waitUntil(lambda: "changed after" not in reply.status.text(), timeout=60000)
    qtbot.waitUntil(lambda: str(out) in reply.status.text(), timeout=60000)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_checking_a_bundle_shows_the_letter_in_the_windows_language_and_only_if_it_matched(
    tmp_path, lang
):
    """Issue 32: the English window previewed the Japanese letter; and a letter whose checksum
    did not match was shown as if checked."""
    import zipfile

    from gui import workers
    from reports import bundle
    from tests.cases import JST, TODAY, build

    case = build("infected", tmp_path)
    out = bundle.write(
        bundle.plan(case, "en", JST, today=TODAY, with_pdf=False), tmp_path / "b.zip"
    )
    result, letter = workers.verify_bundle(str(out), lang, progress=None, cancel=None)
    with zipfile.ZipFile(out) as zf:
        assert result.ok and letter == zf.read(f"letter.{lang}.txt").decode("utf-8")
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("letter."):
                data = data.replace(b"\n", b"\nI admit it.\n", 1)
            dst.writestr(info.filename, data)
    result, letter = workers.verify_bundle(str(changed), lang, progress=None, cancel=None)
    assert not result.ok and letter == ""


def test_step_5_fills_what_the_notice_gave(make_window, qtbot):
    """Issue 32: step 5 asked again for the provider and the reference the notice gave."""
    from app import flows
    from tests.cases import JST

    w = make_window(run_checks=injected_run)
    text = (DATA / "notices/notice_ja.txt").read_bytes()
    flows.read_notice(w.session.case, text, zone=JST, power={"events": []})
    w.session.notice_read()
    reply = w.pages[4]
    reply.fields["provider"].setText("My own words")  # typed by the user: kept
    w.go(5)
    qtbot.waitUntil(lambda: reply.fields["reference"].text() == "ABUSE-2026-112034", timeout=10000)
    assert reply.fields["provider"].text() == "My own words"
    assert reply.fields["name"].text() == "山田 太郎"  # whom the notice is written to
    qtbot.waitUntil(
        lambda: w.session.case.details().get("reference") == "ABUSE-2026-112034", timeout=5000
    )


def test_step_5_notes_follow_a_language_switch(make_window, qtbot, monkeypatch):
    """Issue 32: the mail-failure note stayed Japanese after switching to English."""
    monkeypatch.setattr("gui.pages.reply_page.QDesktopServices.openUrl", lambda _url: False)
    w = make_window(run_checks=injected_run)
    w.set_language("ja")
    reply = w.pages[4]
    w.go(5)
    reply.open_mail()
    assert "メール" in reply.status.text()
    w.set_language("en")
    assert reply.status.text().startswith("No mail program opened."), reply.status.text()


def test_the_watch_chart_never_shows_a_bare_number(qtbot):
    from checks import i18n
    from gui.chart import BarChart

    chart = BarChart()
    qtbot.addWidget(chart)
    chart.set_values([0, 0, 0])
    token = i18n.use_language("en")
    try:
        assert chart.label() == "No attempt to reach a mail server so far"
        chart.set_values([0, 3, 1])
        assert chart.label() == "Highest bar: 3 attempts to reach a mail server"
    finally:
        i18n.reset_language(token)
    token = i18n.use_language("ja")
    try:
        assert "3" in chart.label() and "メールサーバー" in chart.label()
    finally:
        i18n.reset_language(token)


@pytest.mark.skipif(sys.platform == "win32", reason="HOME is a POSIX matter; Windows has profiles")
def test_without_home_the_settings_go_to_the_users_home_not_to_root_of_the_disk():
    import pwd

    code = (
        "import os; from gui.app import give_qt_a_home; give_qt_a_home(os.environ);"
        "from PySide6.QtCore import QCoreApplication, QSettings;"
        "app = QCoreApplication([]); print(QSettings('Clearline', 'Clearline').fileName())"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CONFIG_HOME")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert out.returncode == 0, out.stderr
    home = pwd.getpwuid(os.getuid()).pw_dir
    assert out.stdout.strip().startswith(home.rstrip("/") + "/.config/"), out.stdout


@pytest.mark.parametrize(("lang", "day"), [("ja", "2026/11/21"), ("en", "21 Nov 2026")])
def test_a_ticked_fix_says_its_day_in_the_windows_language(make_window, qtbot, lang, day):
    """Not the ISO form it is stored in (「2026-11-21 に完了」, issue 32)."""
    w = make_window(run_checks=injected_run)
    w.set_language(lang)
    w.session.case.mark_done("updates", "2026-11-21T10:00:00+09:00")
    w.session.case.mark_done("scan", "2026-11-21")  # a step given as a day only
    fix = w.pages[3]
    fix.refresh()
    qtbot.waitUntil(lambda: not fix.reading, timeout=5000)
    for step in ("updates", "scan"):
        assert day in fix.rows[step][2].text()
        assert "2026-11-21" not in fix.rows[step][2].text()


def test_step_5_copies_the_answers_for_the_providers_form(make_window, qtbot):
    from PySide6.QtGui import QGuiApplication

    w = make_window(run_checks=injected_run)
    w.set_language("en")
    w.go(5)
    reply = w.pages[4]
    QGuiApplication.clipboard().setText("")
    reply.answers_button.click()
    qtbot.waitUntil(lambda: "What was done:" in QGuiApplication.clipboard().text(), timeout=10000)
    assert "What keeps it from happening again:" in QGuiApplication.clipboard().text()


def test_step_5_shows_its_note_where_the_user_looks(make_window, qtbot, monkeypatch):
    """At 1280x720 the note under the buttons was below the fold: "No mail program opened" or
    "Saved" went unseen (issue 32). The page scrolls it into view."""
    monkeypatch.setattr("gui.pages.reply_page.QDesktopServices.openUrl", lambda _url: False)
    w = make_window(run_checks=injected_run)
    w.resize(1280, 720)
    w.set_language("en")
    reply = w.pages[4]
    w.go(5)
    qtbot.wait(50)
    reply.open_mail()
    qtbot.waitUntil(lambda: not reply.status.visibleRegion().isEmpty(), timeout=3000)


def test_step_1_shows_the_notice_as_read_again_after_the_line_was_checked(make_window, qtbot):
    """The checks found carrier-grade NAT after the notice was read: the case now reads the
    notice otherwise, and step 1 shows that reading, not the first one (issue 26)."""
    from pathlib import Path

    from app import flows
    from checks.model import Result, Status
    from tests.cases import JST

    def nat_run(ids, network, watch=0.0, case_path=None, public_ip=None, *, progress, cancel):
        from cases.store import Case

        case = Case(case_path)
        nat = Result("NET-NAT", Status.PASS, "cgnat", {"ip": "100.71.2.3"}, facts={"cgnat": True})
        case.add_results([nat])
        flows.notice_again(case)
        progress(nat)
        return [nat]

    w = make_window(run_checks=nat_run)
    w.set_language("en")
    raw = (
        Path(__file__).parents[1] / "realworld/data/classes/exchange_online_direct.eml"
    ).read_bytes()
    flows.read_notice(w.session.case, raw, public_ip="192.0.2.7", zone=JST, power={"events": []})
    w.session.notice_read()
    notice = w.pages[0]
    w.reread_notice()
    qtbot.waitUntil(lambda: bool(notice.result.text()), timeout=5000)
    first = notice.result.text()
    w.pages[1].start()
    qtbot.waitUntil(lambda: notice.result.text() != first, timeout=10000)
    assert w.session.case.notice()["explanation_code"] == "cgnat_unknowable"


def test_the_scan_cannot_be_ticked_while_no_antivirus_is_on(make_window, qtbot):
    """Issue 32: 「完全スキャンを行いました」 stood in the letter beside 「ウイルス対策のスキャナーが
    入っていません」, naming no scanner and no result. While the last look found no antivirus
    switched on, the scan's tick says what to do first; once one is on, it can be ticked (and
    the letter names it)."""
    from cases.store import Case

    w = make_window(run_checks=injected_run)
    case = Case(w.session.case_path)
    case.add_results([Result("AV-STATUS", Status.FAIL, "none_on")])
    w.session.results_changed.emit()
    fix = w.pages[3]
    w.go(4)
    _label, _button, tick = fix.rows["scan"]
    qtbot.waitUntil(lambda: not tick.isEnabled(), timeout=5000)
    from gui.pages.fix_page import why_scan_blocked

    assert fix.why["scan"].isVisible() and fix.why["scan"].text() == why_scan_blocked()
    case.add_results(
        [Result("AV-STATUS", Status.PASS, "windows_on", {"names": "Windows Security"})]
    )
    w.session.results_changed.emit()
    qtbot.waitUntil(tick.isEnabled, timeout=5000)
    tick.setChecked(True)
    qtbot.waitUntil(lambda: "scan" in case.remediation(), timeout=5000)
