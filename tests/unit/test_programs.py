import pytest

from checks.programs import classify, location_reasons


@pytest.mark.parametrize(
    ("exe", "platform", "expected"),
    [
        ("/tmp/.X11-cache/svchost", "linux", ["temp", "hidden"]),
        ("/tmp/build/tool", "linux", ["temp"]),
        ("/var/tmp/x", "linux", ["temp"]),
        ("/dev/shm/.k/x", "linux", ["temp", "hidden"]),
        ("/home/u/.config/autostart-helper/agent", "linux", ["hidden"]),
        ("/home/u/Downloads/invoice", "linux", ["downloads"]),
        ("/usr/bin/python3", "linux", []),
        ("/root/.pyenv/versions/3.11.7/bin/python3.11", "linux", []),
        ("/home/u/.local/bin/tool", "linux", []),
        ("/private/var/folders/7x/k2m9/T/.com.apple.su/x", "macos", ["temp", "hidden"]),
        ("/private/tmp/x", "macos", ["temp"]),
        ("/Applications/Thunderbird.app/Contents/MacOS/thunderbird", "macos", []),
        ("/Users/kenji/Downloads/Invoice.app/Contents/MacOS/Invoice", "macos", ["downloads"]),
        ("C:\\Users\\taro\\AppData\\Local\\Temp\\upd.exe", "windows", ["temp", "hidden"]),
        ("C:\\Windows\\Temp\\a.exe", "windows", ["temp"]),
        (
            "C:\\Users\\taro\\AppData\\Roaming\\x\\svchost.exe",
            "windows",
            ["hidden", "impersonates"],
        ),
        ("C:\\ProgramData\\svc\\agent.exe", "windows", ["hidden"]),
        ("C:\\Users\\taro\\Downloads\\setup.exe", "windows", ["downloads"]),
        ("C:\\Windows\\System32\\svchost.exe", "windows", []),
        ("C:\\Windows\\explorer.exe", "windows", []),
        ("C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "windows", []),
        ("C:\\Users\\taro\\AppData\\Local\\Programs\\Thunderbird\\thunderbird.exe", "windows", []),
    ],
)
def test_location_reasons(exe, platform, expected):
    assert location_reasons(exe, platform) == expected


def test_deleted_file_is_a_reason_even_without_a_path():
    assert location_reasons(None, "linux", exe_exists=False) == ["deleted"]


@pytest.mark.parametrize(
    ("name", "exe", "platform", "kind", "display"),
    [
        (
            "OUTLOOK.EXE",
            "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
            "windows",
            "mail_client",
            "Microsoft Outlook",
        ),
        (
            "B2.exe",
            "C:\\Program Files (x86)\\RimArts\\B2\\B2.exe",
            "windows",
            "mail_client",
            "Becky! Internet Mail",
        ),
        (
            "Mail",
            "/System/Applications/Mail.app/Contents/MacOS/Mail",
            "macos",
            "mail_client",
            "Apple Mail",
        ),
        ("Mail", "/Users/k/Library/Mail", "macos", "other", "Mail"),
        ("master", "/usr/lib/postfix/sbin/master", "linux", "mail_server", "Postfix"),
        ("smtp", "/tmp/smtp", "linux", "other", "smtp"),
        ("thunderbird", "/usr/lib/thunderbird/thunderbird", "linux", "mail_client", "Thunderbird"),
    ],
)
def test_classify(name, exe, platform, kind, display):
    program = classify(name, exe, platform)
    assert (program.kind, program.display_name) == (kind, display)
