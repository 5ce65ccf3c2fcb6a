import os
import time

import pytest
from hypothesis import settings

# Property tests judge correctness, not speed (speed is bench/'s job): no per-example deadline,
# which on a loaded 2-core machine turns a slow example into a false failure.
settings.register_profile("clearline", deadline=None)
settings.load_profile("clearline")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Children started by a test speak English unless the test says otherwise: under the
# Japanese-Windows pass (LC_ALL=ja_JP.UTF-8) every child would otherwise answer in Japanese.
os.environ["LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def english_by_default():
    """Tests start in English whatever the machine's locale; a test may switch."""
    from checks import i18n

    i18n.set_default_language("en")
    yield
    i18n.set_default_language("en")


@pytest.fixture(autouse=True)
def no_journal_of_this_machine(tmp_path_factory, monkeypatch):
    """A journal installed on the machine running the tests must never reach a test's case:
    each test sees an empty journal folder of its own unless it makes one."""
    folder = tmp_path_factory.mktemp("journal")
    monkeypatch.setenv("CLEARLINE_JOURNAL_DIR", str(folder))
    if os.name == "posix" and os.geteuid() != 0:
        # The test's own journal stands for the system's: only root may write a real one.
        from journal import keeper

        monkeypatch.setattr(keeper, "SYSTEM_UIDS", frozenset({0, os.geteuid()}))
    yield folder


@pytest.fixture
def tokyo_machine(monkeypatch):
    """This machine's clock in Japan, as most users' are (the tests otherwise run in UTC). Use
    with tests.platform.no_tzset: Windows has no time.tzset."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
