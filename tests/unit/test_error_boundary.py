"""The headless commands' one error boundary (cli.commands.run_guarded) words a system error in
the user's language and never shows Python's "[Errno N]" (seen for root refusing a case folder
under /tmp: "clearline: [Errno 1] /tmp can be changed by a user other than root")."""

from __future__ import annotations

import errno

import pytest

from checks import i18n
from checks.safefile import NotRootOnly
from cli.commands import EXIT_USAGE, run_guarded


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (NotRootOnly(errno.EPERM, "/tmp can be changed by a user other than root"), None),
        (PermissionError(errno.EACCES, "Permission denied", "/root/x.zip"), "/root/x.zip"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "/nope.txt"), "/nope.txt"),
        (OSError(errno.EDQUOT, "Disk quota exceeded", "/home/t/c"), "/home/t/c"),
        # Our own words naming the path, with no filename: kept (the generic words dropped it).
        (OSError(errno.ELOOP, "/home/t/case is a link; not followed"), "/home/t/case"),
    ],
)
def test_a_system_error_is_one_line_in_the_users_words(capsys, exc, said):
    def handler(_args):
        raise exc

    token = i18n.use_language("ja")
    try:
        assert run_guarded(handler, None) == EXIT_USAGE
    finally:
        i18n.reset_language(token)
    err = capsys.readouterr().err
    assert err.startswith("clearline: ") and "[Errno" not in err, err
    if said:
        assert said in err and "Permission denied" not in err and "No such file" not in err, err
