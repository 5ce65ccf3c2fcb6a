"""What a bundle holds: every file named and described in both languages in its README,
the machine-readable files complete, personal data named in the bundle's words, paths masked
on request.

Written after mutation testing (docs/mutation.md): most changes to reports/bundle.py's plan()
went unnoticed because the tests only checked that a bundle verifies."""

import json
import os
from pathlib import Path

from checks import i18n
from reports import bundle
from tests.cases import JST, TODAY, build
from tests.platform import assert_private


def test_the_plan_of_an_infected_case(tmp_path):
    case = build("infected", tmp_path)
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    letters = [f"letter.{code}.{kind}" for code in i18n.CODES for kind in ("html", "txt")]
    assert sorted(plan.files) == sorted(
        [
            "README.txt",
            "assessment.json",
            *letters,
            "notice.json",
            "reply.json",
            "report.html",
            "results.json",
        ]
    )
    assert {"letter.ja.txt", "letter.en.txt"} <= set(plan.files)
    readme = plan.files["README.txt"].decode("utf-8")
    assert f"written by Clearline for case {case.path.name}" in readme
    for name in plan.files:
        for code in i18n.CODES:
            assert f"  {name:16} {bundle.describe(name, code)}\n" in readme, (name, code)
    # A letter's description names its language in the reader's.
    assert "  letter.en.txt    プロバイダーへの返信（英語・テキスト）\n" in readme
    assert "  letter.ja.html   reply to the provider (Japanese, HTML)\n" in readme
    assert "  results.json     すべての確認結果（機械可読）\n" in readme
    assert readme.startswith("Clearline 証拠一式 / Clearline evidence bundle")
    assert "[日本語]\n" in readme and "[English]\n" in readme
    assert readme.count("sha256sum -c SHA256SUMS") == len(i18n.CODES)
    results = json.loads(plan.files["results.json"])
    assert set(results) == {"results", "history"}
    assert {r["id"] for r in results["results"]} >= {"SMTP-OUT", "AV-STATUS", "FW-STATUS"}
    assessment = json.loads(plan.files["assessment.json"])
    assert assessment["letter_written"] == TODAY.astimezone(JST).isoformat()
    assert assessment["removed"] is True
    assert json.loads(plan.files["notice.json"]) == case.notice()
    assert plan.files["letter.ja.txt"].decode("utf-8") == bundle.report.letter_text(
        case, "ja", JST, TODAY, with_pdf=False
    )
    assert plan.files["letter.en.html"].startswith(b"<!DOCTYPE html>")
    assert plan.masked is False and plan.warnings == []


def test_personal_data_is_named_in_the_bundles_language(tmp_path):
    case = build("infected", tmp_path)
    en = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).personal
    assert en["Your name"] == "山田 太郎"
    assert en["Contract / customer ID"] == "EX-0012345"
    assert en["Provider"] == "株式会社エグザンプル通信"
    assert en["Your e-mail"] == "taro.yamada@example.jp"
    assert en["Your phone"] == "090-1234-5678"
    assert "Notice reference" not in en  # nothing given: nothing named
    ja = bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False).personal
    assert "Your name" not in ja and "山田 太郎" in ja.values()


def test_the_notices_addresses_and_the_user_name_are_named(tmp_path, monkeypatch):
    case = build("clean", tmp_path)
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "taro")
    with case.update() as u:
        u.set_details(reference="ABC-123")
    notice = case.notice()
    notice["claim"]["source_ips"] = ["203.0.113.45", "203.0.113.46"]
    case.write_json(bundle.NOTICE_FILE, notice)
    results = case.results()
    facts = dict(results[0].facts, exe="/home/taro/bin/x")
    from dataclasses import replace

    with case.update() as u:
        u.add_results([replace(results[0], facts=facts)])
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    assert plan.personal["IP addresses from the notice"] == "203.0.113.45, 203.0.113.46"
    assert plan.personal["Notice reference"] == "ABC-123"
    assert plan.personal["Your user name, inside file paths"] == "taro"
    masked = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False, mask_paths=True)
    assert "Your user name, inside file paths" not in masked.personal
    assert masked.masked is True


def test_masking_paths(monkeypatch):
    """The home folder as this system writes it becomes ~; the user name elsewhere <user>."""
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "taro")
    if os.name == "nt":
        monkeypatch.setattr(bundle.Path, "home", lambda: Path("C:\\Users\\taro"))
        assert bundle._mask("c:\\users\\taro\\x and D:\\taro\\AppData") == (
            "~\\x and D:\\<user>\\AppData"
        )
    else:
        monkeypatch.setattr(bundle.Path, "home", lambda: Path("/home/taro"))
        assert bundle._mask("/home/taro/x and C:\\Users\\taro\\AppData") == (
            "~/x and C:\\Users\\<user>\\AppData"
        )
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "al")  # too short to replace safely
    assert bundle._mask("C:\\Users\\al\\x") == "C:\\Users\\al\\x"


def test_sums_text_lists_every_file_sorted():
    text = bundle.sums_text({"b": b"2", "a": b"1"})
    assert text == (
        "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b  a\n"
        "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35  b\n"
    )


def test_the_users_edited_letter_goes_in_and_files_are_readable_utf8(tmp_path):
    case = build("infected", tmp_path)
    with case.update() as u:
        u.set_edited_letter("ja", "株式会社エグザンプル通信 御中\n（編集済み）\n")
    plan = bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False)
    assert (
        plan.files["letter.ja.txt"].decode("utf-8")
        == "株式会社エグザンプル通信 御中\n（編集済み）\n"
    )
    assert "（編集済み）" in plan.files["letter.ja.html"].decode("utf-8")
    assert 'lang="ja"' in plan.files["letter.ja.html"].decode("utf-8")
    assert plan.files["letter.en.txt"].decode("utf-8") == bundle.report.letter_text(
        case, "en", JST, TODAY, with_pdf=False
    )
    report_html = plan.files["report.html"].decode("utf-8")
    assert report_html == bundle.report.report_html(case, "ja", JST, TODAY)
    # Japanese stays readable in the JSON files (not \\u escapes), indented for people.
    for name in ("results.json", "assessment.json", "notice.json"):
        text = plan.files[name].decode("utf-8")
        assert text.startswith('{\n  "'), name
        assert "\\u" not in text, name
    japanese = bundle.plan(build("clean", tmp_path), "ja", JST, today=TODAY, with_pdf=False)
    notice = japanese.files["notice.json"].decode("utf-8")
    assert "\\u" not in notice and any("\u3040" <= ch <= "\u30ff" for ch in notice)


def test_the_pdf_is_made_or_its_absence_said(tmp_path):
    """In a process of its own: the PDF needs a Qt application, and one made here would be the
    wrong kind for the window tests that may follow in this process."""
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from reports import bundle\n"
        "from tests.cases import JST, TODAY, build\n"
        "plan = bundle.plan(build('clean', Path(sys.argv[1])), 'en', JST, today=TODAY)\n"
        "pdf = plan.files.get('report.pdf', b'')\n"
        "print(json.dumps({'pdf': pdf[:4].decode('latin-1'), 'warnings': plan.warnings}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=root,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["pdf"]:
        assert result["pdf"] == "%PDF" and result["warnings"] == []
    else:
        assert result["warnings"][0].startswith("no PDF: Qt could not be loaded (")


def test_masking_reaches_every_text_file_and_only_those(tmp_path, monkeypatch):
    """With "mask paths", the user name inside paths is gone from the letters (text and HTML),
    the report and every JSON file; a binary file is carried unchanged."""
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "taro")
    case = build("infected", tmp_path)  # the bot lives in C:\Users\taro\AppData\…
    pcap = bytes(range(256)) + b"\\taro\\"
    case.pcap_path().write_bytes(pcap)
    plain = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    masked = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False, mask_paths=True)
    for name in ("letter.en.txt", "letter.ja.html", "report.html", "results.json"):
        assert "\\taro\\" in plain.files[name].decode("utf-8").replace("\\\\", "\\"), name
        text = masked.files[name].decode("utf-8").replace("\\\\", "\\")
        assert "\\taro\\" not in text and "\\<user>\\" in text, name
    assert masked.files[bundle.PCAP_FILE] == pcap == plain.files[bundle.PCAP_FILE]


def test_the_user_name_is_named_only_when_a_file_holds_it(tmp_path, monkeypatch):
    case = build("clean", tmp_path)
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "nobody-here")
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    assert "Your user name, inside file paths" not in plan.personal


def test_the_written_bundle_is_private_compressed_and_complete(tmp_path):
    """It holds personal data: readable by its owner only, whatever the umask."""
    import zipfile

    files = {"letter.en.txt": b"Dear abuse desk,\n" * 200, "results.json": b"{}"}
    plan = bundle.Plan(files, {}, False, [])
    old = os.umask(0o022)
    try:
        out = bundle.write(plan, tmp_path / "case.zip")
    finally:
        os.umask(old)
    assert_private(out)
    assert list(tmp_path.iterdir()) == [out]  # no partial file left
    with zipfile.ZipFile(out) as zf:
        assert [i.filename for i in zf.infolist()] == [*sorted(files), "SHA256SUMS"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert zf.read("SHA256SUMS").decode() == bundle.sums_text(files)
    assert bundle.verify(out).ok is True


def test_a_bundle_is_never_written_through_a_planted_partial_file(tmp_path):
    out = tmp_path / "case.zip"
    planted = tmp_path / f".case.zip.{os.getpid()}.partial"
    planted.write_bytes(b"planted")
    try:
        bundle.write(bundle.Plan({"a.txt": b"a"}, {}, False, []), out)
    except FileExistsError:
        pass
    assert planted.read_bytes() == b"planted" and not out.exists()


def test_assessment_json_reads_dates_in_the_users_zone_and_keeps_japanese_readable(
    tmp_path, monkeypatch
):
    """A bare date ("password changed on 2026-11-21") is the end of that day where the user
    lives; Japanese in paths stays Japanese in the JSON, not \\u escapes."""
    from tests.unit.test_japanese_user import bot_watch

    case = build("account", tmp_path)
    case.add_results([bot_watch()])
    plan = bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False)
    assessment = json.loads(plan.files["assessment.json"])
    assert [s["latest_time"] for s in assessment["steps"]] == ["2026-11-21T23:59:59+09:00"]
    for name in ("results.json", "assessment.json"):
        text = plan.files[name].decode("utf-8")
        assert "山田太郎" in text and "\\u" not in text, name


def _fake_pdf(monkeypatch, fail: str | None = None) -> list:
    """reports.pdf stands in: the real one needs a Qt application of its own (tested above in
    its own process); what is tested here is what the plan does with its answer."""
    from reports import pdf

    calls = []

    def write_pdf(html, target):
        calls.append((html, Path(target).name))
        if fail:
            raise pdf.PdfUnavailable(fail)
        Path(target).write_bytes(b"%PDF-1.4 fake")

    monkeypatch.setattr(pdf, "write_pdf", write_pdf)
    return calls


def test_a_bundle_holds_the_pdf_of_its_report_by_default(tmp_path, monkeypatch):
    calls = _fake_pdf(monkeypatch)
    case = build("clean", tmp_path)

    plan = bundle.plan(case, "en", JST, today=TODAY)

    assert plan.files["report.pdf"] == b"%PDF-1.4 fake"
    assert calls == [(plan.files["report.html"].decode("utf-8"), "report.pdf")]
    assert plan.warnings == []


def test_a_bundle_without_a_pdf_says_why(tmp_path, monkeypatch):
    _fake_pdf(monkeypatch, fail="no display")
    case = build("clean", tmp_path)

    plan = bundle.plan(case, "en", JST, today=TODAY)

    assert "report.pdf" not in plan.files
    assert plan.warnings == ["no PDF: Qt could not be loaded (no display)"]
    assert "report.pdf" not in plan.files["README.txt"].decode("utf-8")


def test_every_file_a_bundle_can_hold_is_described_in_both_languages(tmp_path, monkeypatch):
    _fake_pdf(monkeypatch)
    case = build("infected", tmp_path)
    case.write_json(bundle.CAPTURE_FILE, {"summary": {}})
    case.write_json(bundle.JOURNAL_FILE, {"proof": {"records": []}})
    case.pcap_path().write_bytes(b"\xd4\xc3\xb2\xa1")

    plan = bundle.plan(case, "ja", JST, today=TODAY)

    assert sorted(plan.files) == sorted(bundle.names())
    readme = plan.files["README.txt"].decode("utf-8")
    for name in bundle.names():
        for code in i18n.CODES:
            assert f"  {name:16} {bundle.describe(name, code)}\n" in readme, (name, code)


def test_a_three_letter_user_name_is_masked_inside_paths(monkeypatch):
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "bob")
    monkeypatch.setattr(bundle.Path, "home", lambda: Path("/home/bob"))
    assert bundle._mask("C:\\Users\\bob\\AppData and /srv/bob/x") == (
        "C:\\Users\\<user>\\AppData and /srv/<user>/x"
    )


def test_a_failed_write_leaves_neither_bundle_nor_partial_file(tmp_path, monkeypatch):
    def disk_full(_files):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle, "sums_text", disk_full)
    out = tmp_path / "case.zip"
    try:
        bundle.write(bundle.Plan({"a.txt": b"a"}, {}, False, []), out)
    except OSError as exc:
        assert exc.errno == 28
    else:
        raise AssertionError("the write should have failed")
    assert list(tmp_path.iterdir()) == []


def test_the_tests_pause_between_files_only_when_asked(tmp_path, monkeypatch):
    """CLEARLINE_TEST_BUNDLE_PAUSE widens the window a concurrency test needs; unset or empty,
    a bundle is written without waiting."""
    slept = []
    monkeypatch.setattr(bundle.time, "sleep", slept.append)
    files = {"a.txt": b"a", "b.txt": b"b"}
    for value, expected in ((None, []), ("", []), ("0", []), ("0.25", [0.25, 0.25])):
        slept.clear()
        if value is None:
            monkeypatch.delenv("CLEARLINE_TEST_BUNDLE_PAUSE", raising=False)
        else:
            monkeypatch.setenv("CLEARLINE_TEST_BUNDLE_PAUSE", value)
        bundle.write(bundle.Plan(files, {}, False, []), tmp_path / f"{value}.zip")
        assert slept == expected, value


def test_the_letter_names_every_file_the_desk_receives_and_only_those(tmp_path):
    """The Attachments list once left out reply.json, and named report.pdf in a bundle made
    without one; it names only files the zip holds, and every one a desk reads."""
    import re

    for kind in ("infected", "clean", "forged"):
        for lang in ("en", "ja"):
            plan = bundle.plan(build(kind, tmp_path / lang), lang, JST, today=TODAY, with_pdf=False)
            letter = plan.files[f"letter.{lang}.txt"].decode("utf-8")
            marker = "Attachments" if lang == "en" else "【添付資料】"
            section = letter.split(marker, 1)[1].split("\n\n", 1)[0]
            named = set(re.findall(r"[\w-]+\.(?:json|pdf|html|pcap)|SHA256SUMS", section))
            assert named <= {*plan.files, "SHA256SUMS"}, (kind, lang, named - set(plan.files))
            for_the_desk = {"report.html", "results.json", "assessment.json", "reply.json"}
            assert for_the_desk <= named, (kind, lang, for_the_desk - named)
            if "capture.pcap" in plan.files:
                assert "capture.pcap" in named
