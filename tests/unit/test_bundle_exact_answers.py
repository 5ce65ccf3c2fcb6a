"""The bundle's files byte for byte where a desk's tools or a person read them: reply.json and
results.json keep Japanese as text and are indented as written, masking reaches reply.json,
README.txt opens with its title line, the letter names report.pdf only when the bundle holds
it, and home folders are masked as the platform compares paths. Written after mutation testing
(docs/mutation.md): these survived every older test."""

import json

import pytest

from reports import bundle
from tests.cases import JST, TODAY, build


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    return build("account", tmp_path_factory.mktemp("bundle"))


def test_reply_and_results_keep_japanese_as_text_and_two_space_indents(account):
    files = bundle.plan(account, "ja", JST, today=TODAY, with_pdf=False).files
    for name in ("reply.json", "results.json"):
        text = files[name].decode("utf-8")
        assert "\\u" not in text, name  # a desk reading the file sees 山田, not \u5c71
        assert text.startswith('{\n  "') or text.startswith("[\n  "), name
        assert json.loads(text)  # and it is JSON
    assert "山田" in files["reply.json"].decode("utf-8")


def test_masking_reaches_reply_json(account, monkeypatch):
    monkeypatch.setattr(bundle, "_mask", lambda text: text.replace("taro", "<user>"))
    masked = bundle.plan(account, "en", JST, mask_paths=True, today=TODAY, with_pdf=False)
    plain = bundle.plan(account, "en", JST, mask_paths=False, today=TODAY, with_pdf=False)
    assert "taro" in plain.files["reply.json"].decode("utf-8")
    assert "taro" not in masked.files["reply.json"].decode("utf-8")  # the real mask: below


def test_the_readme_opens_with_its_title_and_a_rule_of_48():
    text = bundle.readme("case-1", ["letter.en.txt"])
    title, rule, blank = text.split("\n")[:3]
    assert " / " in title and rule == "=" * 48 and blank == ""
    # One section per language, each ended by an empty line.
    assert text.count("\n[") == len(bundle.i18n.LANGUAGES)
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("with_pdf", [True, False])
def test_the_letter_names_report_pdf_only_when_the_bundle_holds_it(account, with_pdf, monkeypatch):
    # A stand-in for Qt's PDF writer: a unit test must not start a Qt application (under Wine
    # a QGuiApplication left behind kills the window tests that follow).
    from reports import pdf

    monkeypatch.setattr(pdf, "write_pdf", lambda html, target: target.write_bytes(b"%PDF-1.4"))
    files = bundle.plan(account, "en", JST, today=TODAY, with_pdf=with_pdf).files
    letter = files["letter.en.txt"].decode("utf-8")
    assert ("report.pdf" in files) == with_pdf
    assert ("report.pdf" in letter) == with_pdf


@pytest.mark.parametrize(
    ("os_name", "text", "masked"),
    [
        # POSIX paths differ by case: another folder is not the home folder.
        ("posix", "/HOME/TARO/x and /home/taro/y", "/HOME/TARO/x and ~/y"),
        # Windows paths do not: C:\Users\Taro and c:\users\taro are one folder.
        ("nt", "/HOME/TARO/x and /home/taro/y", "~/x and ~/y"),
    ],
)
def test_the_home_folder_is_masked_as_the_platform_compares_paths(
    monkeypatch, os_name, text, masked
):
    monkeypatch.setattr(bundle.Path, "home", classmethod(lambda cls: "/home/taro"))
    monkeypatch.setattr(bundle.getpass, "getuser", lambda: "nobody-else")
    monkeypatch.setattr(bundle.os, "name", os_name)
    assert bundle._mask(text) == masked
