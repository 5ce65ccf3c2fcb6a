"""The packaged application, built here with PyInstaller from packaging/clearline.spec, copied
to a fresh folder and run with an empty environment (env -i PATH=/usr/bin:/bin HOME=…): no
Python, no virtual environment, no source tree. Every command, the notice → letter → bundle →
verify flow, the window under Xvfb, the sizes; as root, the frozen capture and journal record
the bot of the integration tests."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.integration.conftest import HERE, SERVERS, bot_env

pytestmark = [pytest.mark.integration, pytest.mark.packaging]
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data"
if not sys.platform.startswith("linux"):
    pytest.skip(
        "the Linux package is built here (Windows/macOS: package.yml)", allow_module_level=True
    )
try:
    import PyInstaller  # noqa: F401
except ImportError:
    pytest.skip(
        "the build tools are missing: pip install -e '.[dist]' (make test installs them)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """`make dist`'s two steps into a temporary folder: the application and its archive."""
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out),
            "--workpath",
            str(out / "work"),
            str(ROOT / "packaging/clearline.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    archive = subprocess.run(
        [sys.executable, str(ROOT / "packaging/archive.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert archive.returncode == 0, archive.stderr
    return out


@pytest.fixture(scope="module")
def app(built, tmp_path_factory) -> Path:
    """The built folder copied somewhere else: nothing may point back at the build."""
    target = tmp_path_factory.mktemp("copied") / "Clearline"
    shutil.copytree(built / "Clearline", target, symlinks=True)
    return target / "Clearline"


def run(app: Path, *args: str, home: Path, timeout: float = 120, extra=None, **kw):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), **(extra or {})}
    return subprocess.run(
        [str(app), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=home, **kw
    )


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_sizes_hold(built):
    assert folder_bytes(built / "Clearline") < 150e6
    (archive,) = built.glob("Clearline-*-linux-*.tar.gz")
    assert archive.stat().st_size < 70e6
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        for member in (
            "install.sh",
            "clearline.desktop.in",
            "org.clearline.policy.in",
            "clearline.png",
        ):
            assert f"{top}/{member}" in names
        assert f"{top}/Clearline/Clearline" in names
        assert all(m.uid == 0 for m in tar.getmembers())


def test_no_library_searches_outside_the_application(built):
    """RUNPATH/RPATH strings may name $ORIGIN only (read here by our own reader and, where it
    is installed, by readelf); the archive's MANIFEST.sha256 lists every file install.sh
    installs."""
    sys.path.insert(0, str(ROOT / "packaging"))
    import runpath

    app = built / "Clearline"
    assert runpath.scan(app) == {}
    libraries = [p for p in app.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    assert any(runpath.runpaths(p) for p in libraries)  # the reader sees the ones that are there
    if shutil.which("readelf"):
        for lib in libraries:
            out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True)
            for line in out.stdout.splitlines():
                if "RUNPATH" in line or "RPATH" in line:
                    text = line.split("[", 1)[1].rstrip("]")
                    assert not runpath.outside(text, lib, app), (lib, line)
    (archive,) = built.glob("Clearline-*-linux-*.tar.gz")
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        listed = tar.extractfile(f"{top}/MANIFEST.sha256").read().decode().splitlines()
        files = [m.name for m in tar.getmembers() if m.isfile() and "/Clearline/" in m.name]
        links = tar.extractfile(f"{top}/MANIFEST.links").read().decode().splitlines()
        linked = sorted(
            f"./{m.name.split('/Clearline/', 1)[1]} -> {m.linkname}"
            for m in tar.getmembers()
            if m.issym() and "/Clearline/" in m.name
        )
    assert len(listed) == len(files)
    assert sorted(links) == linked


def test_nothing_is_read_from_the_source_tree_or_a_virtual_environment(app):
    internal = app.parent / "_internal"
    for needed in (
        "locale/ja/LC_MESSAGES/clearline.mo",
        "reports/templates/letter.ja.txt.j2",
        "checks/probes/windows_facts.ps1",
        "fonts/ipag.ttf",
        "PySide6/Qt/translations/qtbase_ja.qm",
        "netaddr/eui/oui.idx",
        "netaddr/eui/oui.txt",
    ):
        assert (internal / needed).exists(), needed
    leaked = [
        str(p)
        for p in internal.rglob("*")
        if p.is_symlink() and not str(p.resolve()).startswith(str(app.parent))
    ]
    assert not leaked
    assert not list(internal.rglob("test_*.py"))
    assert not (internal / "hypothesis").exists() and not (internal / "tkinter").exists()


def test_every_command_runs_with_no_python_set_up(app, tmp_path):
    out = run(app, "--help", home=tmp_path)
    assert out.returncode == 0 and "journal" in out.stdout
    audit = run(app, "audit", "--only", "SMTP-OUT,FW-STATUS", "--json", home=tmp_path)
    assert audit.returncode in (0, 1, 2), audit.stderr
    assert [r["id"] for r in json.loads(audit.stdout)] == ["SMTP-OUT", "FW-STATUS"]
    case = tmp_path / "case"
    notice = run(
        app, "notice", str(DATA / "notices/notice_ja.txt"), "--case", str(case), home=tmp_path
    )
    assert notice.returncode in (0, 1, 2), notice.stderr
    run(app, "details", "--case", str(case), "--name", "山田 太郎", home=tmp_path)
    letter = run(app, "letter", "--case", str(case), "--lang", "ja", home=tmp_path)
    assert (
        letter.returncode == 0
        and "山田 太郎" in letter.stdout
        and "ABUSE-2026-112034" in letter.stdout
    )
    assert "details --case" in letter.stderr and "main.py" not in letter.stderr
    bundle = tmp_path / "evidence.zip"
    made = run(app, "bundle", "--case", str(case), "--out", str(bundle), home=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "UTF-8" not in made.stderr  # no Qt locale complaint in an empty environment
    verified = run(app, "verify", str(bundle), home=tmp_path)
    assert verified.returncode == 0, verified.stdout
    pdffonts = shutil.which("pdffonts")
    if pdffonts:
        import zipfile

        with zipfile.ZipFile(bundle) as zf:
            (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
        fonts = subprocess.run(
            [pdffonts, str(tmp_path / "report.pdf")], capture_output=True, text=True
        )
        assert "IPAGothic" in fonts.stdout  # the font that travels with the app


def test_the_window_opens_and_is_drawn(app, tmp_path):
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run is missing (Debian package xvfb)")
    shot = tmp_path / "window.png"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLEARLINE_SCREENSHOT": str(shot)}
    out = subprocess.run(
        [xvfb, "-a", "-s", "-screen 0 1280x800x24", str(app)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 900 and image.height() >= 600
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 9) for y in range(0, image.height(), 9)
    }
    assert len(colours) > 20, "the window looks blank"


@pytest.mark.skipif(
    os.geteuid() != 0, reason="the frozen capture and journal need root (CI runs as root)"
)
def test_the_frozen_capture_and_journal_record_the_bot(
    app, tmp_path, dns_server, mail_servers, hidden_bot_exe
):
    db = tmp_path / "journal.sqlite3"
    journal = subprocess.Popen(
        [str(app), "journal", "run", "--db", str(db), "--heartbeat", "0.5"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "Recording every mail connection" in journal.stderr.readline()
    capture = subprocess.Popen(
        [str(app), "capture", "--iface", "all", "--seconds", "6", "--json"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert json.loads(capture.stdout.readline())["type"] == "start"
    domains = [f"victim{i}.example={ip}" for i, ip in enumerate(SERVERS)]
    bot = subprocess.Popen(
        [str(hidden_bot_exe), str(HERE / "mxbot.py"), dns_server, *domains],
        env=dict(bot_env(), MXBOT_DELAY="0.5"),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bot.stdout.readline().strip() == "ready"
    assert bot.wait(20) == 0
    out, err = capture.communicate(timeout=60)
    summary = json.loads(out.splitlines()[-1])
    assert summary["type"] == "summary", err
    mine = [p for p in summary["programs"] if p["program"] and p["program"]["pid"] == bot.pid]
    assert mine and mine[0]["flows"] == 3 and mine[0]["mx_queries"] == 3
    time.sleep(1.2)
    journal.send_signal(signal.SIGTERM)
    assert journal.wait(10) == 0
    shown = run(
        app,
        "journal",
        "show",
        "--db",
        str(db),
        "--from",
        "2000-01-01T00:00Z",
        "--json",
        home=tmp_path,
    )
    events = json.loads(shown.stdout)["events"]
    attributed = [e for e in events if (e.get("program") or {}).get("pid") == bot.pid]
    assert sorted(e["kind"] for e in attributed) == ["connect"] * 3 + ["mx"] * 3
    assert run(app, "journal", "verify", "--db", str(db), home=tmp_path).returncode == 0
