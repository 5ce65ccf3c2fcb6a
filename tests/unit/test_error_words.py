"""Errors are said in the user's language: an OSError by its kind, never the C library's
English inside a Japanese sentence; the program's own refusals in the active language."""

import errno
import os

import pytest

from cases.store import CaseError, check_step
from checks import errors, i18n


@pytest.fixture
def japanese():
    token = i18n.use_language("ja")
    yield
    i18n.reset_language(token)


def test_an_os_error_is_worded_by_its_kind_with_its_file(japanese):
    exc = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/x/evidence.zip")
    assert errors.describe(exc) == "/x/evidence.zip：アクセスが拒否されました"
    assert "Permission" not in errors.describe_unexpected(exc)


def test_a_real_os_error_from_the_system_is_worded_too(japanese, tmp_path):
    with pytest.raises(OSError) as caught:
        (tmp_path / "missing" / "file").read_text()
    assert errors.describe(caught.value).endswith("：存在しません")


def test_an_unplanned_error_keeps_its_own_text_and_names_its_type():
    assert errors.describe(ValueError("bad thing\nmore")) == "bad thing"
    assert errors.describe_unexpected(ValueError("bad thing")) == "ValueError: bad thing"
    assert errors.describe_unexpected(KeyError()) == "KeyError: KeyError"


def test_every_errno_word_is_translated():
    ja = i18n.translations("ja")
    assert all(ja.gettext(words) != words for words in errors.WORDS.values())


@pytest.mark.parametrize(
    ("step", "when", "expected"),
    [
        ("scan", "2999-01-01", "2999-01-01 は未来の日時です"),
        (
            "scan",
            "yesterday",
            "'yesterday' は日付（YYYY-MM-DD）または ISO 形式の日時ではありません",
        ),
        ("scan", "1999-01-01", "1999-01-01 は 2000 年から今日までの日付ではありません"),
        ("dance", "2026-01-01", "不明な対策 'dance' です。"),
    ],
)
def test_a_refused_step_is_said_in_the_active_language(japanese, step, when, expected):
    with pytest.raises(CaseError) as caught:
        check_step(step, when)
    assert str(caught.value).startswith(expected)


def test_clearlines_own_refusal_of_a_fifo_is_said_in_japanese(japanese, tmp_path):
    import os

    from checks import safefile

    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX's")
    fifo = tmp_path / "notice.txt"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as caught:
        safefile.read_regular(fifo, 100)
    assert errors.what_of(caught.value) == "ファイルではなく名前付きパイプ（FIFO）です"
    assert "FIFO (named pipe)" not in errors.describe(caught.value)
