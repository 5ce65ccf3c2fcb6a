import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def english_by_default():
    """Tests start in English whatever the machine's locale; a test may switch."""
    from checks import i18n

    i18n.set_default_language("en")
    yield
    i18n.set_default_language("en")
