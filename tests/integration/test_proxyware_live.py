"""PROXYWARE against a real process: a program running under a proxyware name is found."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from checks import proxyware
from checks.model import Status
from tests.integration.conftest import bot_env

pytestmark = pytest.mark.integration


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="EarnApp's names are Linux's")
def test_a_running_earnapp_is_found():
    folder = Path(tempfile.mkdtemp(prefix="earnapp-"))
    exe = folder / "earnapp"
    shutil.copy2(os.path.realpath(sys.executable), exe)
    proc = subprocess.Popen([str(exe), "-c", "import time; time.sleep(30)"], env=bot_env())
    try:
        time.sleep(0.5)
        r = proxyware.run(None)
        assert r.status == Status.FAIL and "EarnApp" in r.params["names"]
        assert any(str(exe) in item for item in r.facts["found"]["EarnApp"])
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
    assert proxyware.run(None).status == Status.PASS or Path("/usr/bin/earnapp").exists()
