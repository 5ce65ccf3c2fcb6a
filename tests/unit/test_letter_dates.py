"""Dates in a letter are in the letter's language, whatever the process locale says.

Qt sets the C library's locale from the OS when the window starts, and strftime's %B then
answers in that language: an English letter made on a Japanese PC read "20 11月 2026"."""

import locale
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks import dates

JST = timezone(timedelta(hours=9))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
)


class JapaneseLocaleDatetime(datetime):
    """A datetime whose strftime answers as glibc's does under LC_TIME=ja_JP.UTF-8."""

    def strftime(self, fmt: str) -> str:
        month = f"{self.month}月"
        return super().strftime(fmt.replace("%B", month).replace("%b", month))


def as_japanese_locale(dt: datetime) -> JapaneseLocaleDatetime:
    return JapaneseLocaleDatetime.fromtimestamp(dt.timestamp(), dt.tzinfo)


@given(moments)
def test_english_dates_never_take_the_process_locale(dt):
    dt = as_japanese_locale(dt)
    for text in (
        dates.date_only(dt, "en"),
        dates.moment(dt, "en"),
        dates.span(dt, dt + timedelta(minutes=5), "en"),
    ):
        assert text.replace("–", "").isascii(), text  # the en dash of a span is its own


@given(moments)
def test_each_language_writes_its_own_date(dt):
    month = dates.date_only(dt, "en").split()[1]
    assert (
        month
        in (
            "January February March April May June July August September October November December"
        ).split()
    )
    assert dates.date_only(dt, "en") == f"{dt.day} {month} {dt.year}"
    assert dates.date_only(dt, "ja") == f"{dt.year}年{dt.month}月{dt.day}日"


def test_under_a_real_japanese_locale():
    try:
        before = locale.setlocale(locale.LC_TIME)
        locale.setlocale(locale.LC_TIME, "ja_JP.UTF-8")
    except locale.Error:
        pytest.skip("no ja_JP.UTF-8 locale here (tools/system-deps.sh generates it as root)")
    try:
        assert datetime(2026, 11, 20).strftime("%B") != "November"  # the locale is in force
        dt = datetime(2026, 11, 20, 14, 2, 5, tzinfo=JST)
        assert dates.moment(dt, "en") == "20 November 2026, 14:02:05 (JST, UTC+09:00)"
        assert dates.moment(dt, "ja") == "2026年11月20日 14時02分05秒（日本時間）"
    finally:
        locale.setlocale(locale.LC_TIME, before)
