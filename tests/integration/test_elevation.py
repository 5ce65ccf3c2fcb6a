"""Root does only what the user approved. Run as root with a throwaway user the test creates,
acting as malware running as that user would: the administrator prompt's door refuses every
other command, root never follows a link the user planted nor writes in a folder the user can
change, a FIFO is refused at once, and install.sh installs only what root checked."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("useradd"),
        reason="needs root (to act as root for a throwaway user it creates) and useradd",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
EXIT_USAGE = 3


@pytest.fixture(scope="module")
def user():
    name = f"clel{os.getpid() % 100000}"
    subprocess.run(
        ["useradd", "--create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture
def root_only(tmp_path) -> Path:
    """A folder only root can write, under folders only root can write (pytest's tmp_path)."""
    folder = tmp_path / "root-only"
    folder.mkdir(mode=0o755)
    return folder


def as_user(user, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    """What malware running as the user does."""
    return subprocess.run(
        ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", *argv],
        capture_output=True,
        text=True,
        check=check,
        timeout=30,
    )


def elevated(user, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Clearline as pkexec starts it: root, PKEXEC_UID naming the user who asked."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PKEXEC_UID": str(user.pw_uid),
            "HOME": "/root",
            "QT_QPA_PLATFORM": "offscreen",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def root_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.lstat().st_uid == 0]


# --- 1. the door --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["diagnose", "--out", "{victim}"],
        ["bundle", "--case", "{home}/case", "--out", "{victim}", "--force"],
        ["notice", "{home}/notice.eml", "--case", "{home}/case"],
        ["details", "--case", "{home}/case"],
        ["journal", "show", "--db", "{home}/j.sqlite3"],
        ["journal", "run", "--db", "{home}/j.sqlite3"],
        ["journal", "install", "--db", "{victim}"],
        ["capture", "--iface", "lo", "--seconds", "1", "--user", "root"],
        [],
    ],
    ids=lambda a: " ".join(a[:2]) or "window",
)
def test_the_elevated_door_refuses_everything_but_its_purpose(user, root_only, argv):
    victim = root_only / "victim"
    victim.write_text("root's file, keep")
    home = Path(user.pw_dir)
    (home / "notice.eml").write_text("Subject: spam\n\nspam from your line\n")
    os.chown(home / "notice.eml", user.pw_uid, user.pw_gid)
    argv = [a.format(victim=victim, home=home) for a in argv]
    done = elevated(user, *argv)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "administrator rights" in done.stderr, done.stderr
    assert victim.read_text() == "root's file, keep"
    assert sorted(p.name for p in root_only.iterdir()) == ["victim"]
    assert not root_files(home), root_files(home)


def test_the_capture_may_become_only_the_user_who_asked(user, tmp_path):
    other = pwd.getpwnam("nobody")
    done = elevated(user, "capture", "--iface", "lo", "--seconds", "1", "--user", other.pw_name)
    assert done.returncode == EXIT_USAGE and "not as nobody" in done.stderr


def test_the_journal_door_writes_only_in_the_system_folder(user, root_only):
    done = elevated(
        user,
        "journal",
        "run",
        "--db",
        str(Path(user.pw_dir) / "journal.sqlite3"),
        env={"CLEARLINE_JOURNAL_DIR": str(root_only)},
    )
    assert done.returncode == EXIT_USAGE and "written only in" in done.stderr
    assert not list(Path(user.pw_dir).glob("journal*"))


# --- 3. root and planted links ------------------------------------------------------------------


def test_root_never_writes_a_journal_where_the_user_can(user, root_only):
    from journal.store import Journal, JournalError, lock_for_writing

    home = Path(user.pw_dir)
    target = root_only / "shadow"
    target.write_text("root's file, keep")
    # A dangling link as the database, planted where root is asked to write it.
    as_user(user, "ln", "-s", str(root_only / "made-by-root"), str(home / "journal.sqlite3"))
    as_user(user, "ln", "-s", str(target), str(home / "journal.sqlite3-wal"))
    for attempt in (
        lambda: lock_for_writing(home / "journal.sqlite3"),
        lambda: Journal(home / "j"),
    ):
        with pytest.raises(JournalError, match=r"other than root|another user|link"):
            attempt()
    assert not (root_only / "made-by-root").exists()
    assert target.read_text() == "root's file, keep"
    assert not root_files(home)
    # Root's own folder: fine; a link as the file there: refused, never followed.
    with Journal(root_only / "journal.sqlite3"):
        pass
    (root_only / "linked.sqlite3").symlink_to(root_only / "elsewhere")
    with pytest.raises(JournalError, match="is a link"):
        lock_for_writing(root_only / "linked.sqlite3")
    assert not (root_only / "elsewhere").exists()


def test_root_never_writes_a_case_through_a_link_or_into_the_users_folder(user, root_only):
    from cases.folder import UnsafeFolder
    from cases.store import Case

    home = Path(user.pw_dir)
    as_user(user, "ln", "-s", str(root_only), str(home / "case"))
    os.chmod(root_only, 0o755)
    with pytest.raises(UnsafeFolder):
        Case(home / "case").set_details(provider="x")
    assert stat.S_IMODE(root_only.stat().st_mode) == 0o755  # not chmodded through the link
    assert list(root_only.iterdir()) == []
    as_user(user, "mkdir", str(home / "real-case"))
    with pytest.raises(UnsafeFolder):
        Case(home / "real-case").set_details(provider="x")
    assert not root_files(home)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "details", "--case", str(home / "case")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "not followed" in done.stderr + done.stdout, done
    assert list(root_only.iterdir()) == []


@pytest.mark.parametrize("how", ["through a planted link", "into the users home"])
def test_root_writes_no_output_where_the_user_chose(user, root_only, tmp_path, how):
    """A support shell as root: `diagnose --out` and `bundle --out` into a folder the user
    can change, or through a link the user planted on the way, are refused before a byte is
    written (root's file would land where the user chose)."""
    home = Path(user.pw_dir)
    if how == "through a planted link":
        as_user(user, "ln", "-sfn", str(root_only), str(home / "a"))
        os.chmod(root_only, 0o755)
        target = home / "a"
    else:
        target = home
    from cases.store import Case

    case = Case(tmp_path / "case")  # root's own case: only the output's place is in question
    case.set_details(provider="x")
    for argv in (
        ["diagnose", "--out", str(target / "diag.json")],
        ["bundle", "--case", str(case.path), "--out", str(target / "b.zip"), "--no-pdf"],
    ):
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0, (argv, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "crash-" not in done.stderr, done.stderr
    assert list(root_only.iterdir()) == []
    assert not root_files(home)


def test_root_makes_no_case_folder_where_the_user_chose(user, root_only):
    """`details --case ~user/a/new` as root, ~user/a a link to a root folder, or
    `--case ~user/new`: refused before any folder is made (mkdir ran first and left a root-owned
    folder in the link's target or in the user's home)."""
    home = Path(user.pw_dir)
    as_user(user, "ln", "-sfn", str(root_only), str(home / "a"))
    os.chmod(root_only, 0o755)
    for case in (home / "a" / "new", home / "new-case"):
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "details", "--case", str(case), "--name", "x"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and "Traceback" not in done.stderr, done
    assert list(root_only.iterdir()) == []
    assert not root_files(home)


# --- 4. FIFOs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "{fifo}"],
        ["verify", "/dev/zero"],
        ["journal", "verify", "--db", "{fifo}"],
        ["journal", "status", "--db", "{fifo}"],
        ["diagnose", "--out", "{fifo}"],
        ["notice", "{fifo}"],
        ["analyze", "{fifo}"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path, argv):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    argv = [a.format(fifo=fifo) for a in argv]
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails here
    )
    assert done.returncode != 0
    assert "FIFO" in done.stdout + done.stderr or "device" in done.stdout + done.stderr, done


def test_a_fifo_as_a_case_file_is_refused_at_once(tmp_path):
    from cases.store import Case

    case = Case(tmp_path / "case")
    case.set_details(provider="x")
    (tmp_path / "case" / "details.json").unlink()
    os.mkfifo(tmp_path / "case" / "details.json")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "letter", "--case", str(tmp_path / "case")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 or "details.json" in done.stderr, done


# --- 2. install.sh ------------------------------------------------------------------------------


def package(folder: Path) -> Path:
    """A release folder as packaging/archive.py lays it out, with a tiny 'application'."""
    linux = ROOT / "packaging/linux"
    top = folder / "Clearline-test"
    app = top / "Clearline"
    (app / "_internal/lib").mkdir(parents=True)
    (app / "Clearline").write_text("#!/bin/sh\necho clearline\n")
    (app / "Clearline").chmod(0o755)
    (app / "_internal/lib/libx.so.1").write_bytes(b"\x7fELF not really")
    (app / "_internal/libx.so.1").symlink_to("lib/libx.so.1")
    for name in ("install.sh", "clearline.desktop.in", "org.clearline.policy.in"):
        shutil.copy(linux / name, top / name)
    shutil.copy(ROOT / "packaging/clearline.png", top / "clearline.png")
    lines = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  ./{p.relative_to(app).as_posix()}"
        for p in sorted(app.rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]
    (top / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")
    sys.path.insert(0, str(ROOT / "packaging"))
    from archive import manifest_links

    (top / "MANIFEST.links").write_text(manifest_links(app))
    return top


def install(top: Path, dest: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(top / "install.sh"), *extra],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DESTDIR": str(dest)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_install_refuses_a_source_the_user_can_change(user, tmp_path):
    home = Path(user.pw_dir)
    top = package(Path(tempfile.mkdtemp(dir=home)))
    subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(top.parent)], check=True)
    dest = tmp_path / "dest"
    done = install(top, dest)
    assert done.returncode != 0 and "can be changed by a user other than root" in done.stderr
    assert not dest.exists() or not list(dest.rglob("*"))
    # Owned by root, but inside the user's home: the user could swap the whole folder.
    subprocess.run(["chown", "-R", "root:root", str(top)], check=True)
    done = install(top, dest)
    assert done.returncode != 0 and "Refused" in done.stderr, done.stderr
    assert not dest.exists() or not list(dest.rglob("*"))


@pytest.mark.parametrize(
    "tamper", ["changed", "added", "link-out", "fifo", "link-added", "link-retargeted", "no-list"]
)
def test_install_refuses_what_the_manifest_does_not_list(tmp_path, tamper):
    top = package(tmp_path / "src")
    app = top / "Clearline"
    if tamper == "changed":
        (app / "_internal/lib/libx.so.1").write_bytes(b"evil")
    elif tamper == "added":
        (app / "_internal/sitecustomize.py").write_text("import os; os.system('id')\n")
    elif tamper == "link-out":
        (app / "_internal/libevil.so").symlink_to("/home/someone/libevil.so")
    elif tamper == "link-added":
        # Inside the app, to a listed file: still not what the archive was made with.
        (app / "_internal/lib/libpython3.so").symlink_to("libx.so.1")
    elif tamper == "link-retargeted":
        (app / "_internal/libx.so.1").unlink()
        (app / "_internal/libx.so.1").symlink_to("lib")
    elif tamper == "no-list":
        (top / "MANIFEST.links").unlink()
    else:
        os.mkfifo(app / "_internal/pipe")
    archive = tmp_path / "release.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(top, top.name)
    dest = tmp_path / "dest"
    done = install(top, dest, "--archive", str(archive))
    assert done.returncode != 0 and "Refused" in done.stderr, done.stderr
    assert not (dest / "opt").exists()


def test_install_puts_only_roots_checked_copy_in_place(tmp_path):
    top = package(tmp_path / "src")
    archive = tmp_path / "release.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(top, top.name, filter=lambda i: setattr(i, "uid", 1234) or i)
    dest = tmp_path / "dest"
    done = install(top, dest, "--archive", str(archive))
    assert done.returncode == 0, done.stderr
    installed = dest / "opt/Clearline"
    assert (installed / "Clearline").read_text().startswith("#!/bin/sh")
    for p in [installed, *installed.rglob("*")]:
        st = p.lstat()
        assert st.st_uid == 0 and st.st_gid == 0, p
        assert stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o022, (p, oct(st.st_mode))
    policy = (dest / "usr/share/polkit-1/actions/org.clearline.policy").read_text()
    assert "/opt/Clearline/Clearline" in policy and "@PREFIX@" not in policy
    assert os.readlink(dest / "usr/local/bin/clearline") == "/opt/Clearline/Clearline"
    assert install(top, dest, "--uninstall").returncode == 0
    assert not installed.exists()


def test_root_capturing_for_itself_refuses_a_case_the_user_could_swap(user):
    """Root running the capture itself (a support shell, no --user) into a case under the
    user's home: refused before the capture starts, not after it (the user could swap the
    folder for a link while it runs)."""
    home = Path(user.pw_dir)
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "main.py"), "capture", "--iface", "lo"),
            *("--seconds", "1", "--case", str(home / "support-case")),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": "/root"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_USAGE and "changed by another user" in done.stderr, done
    assert not (home / "support-case").exists()
