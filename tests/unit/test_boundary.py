"""Nothing in checks/, journal/, cases/, app/, cli/ or reports/ imports Qt (reports/ may load
QtGui lazily for the PDF only, inside a function, in the module named pdf)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def qt_imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, module, at_top_level) for every PySide6/PyQt import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    top_level = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6"):
                found.append((node.lineno, name, id(node) in top_level))
    return found


def test_checks_never_import_qt():
    offenders = {
        str(p.relative_to(ROOT)): qt_imports(p)
        for folder in ("checks", "journal", "cases", "app", "cli")
        for p in (ROOT / folder).rglob("*.py")
        if qt_imports(p)
    }
    assert not offenders


def test_reports_import_qt_only_lazily_for_pdf():
    for path in (ROOT / "reports").rglob("*.py"):
        for line, name, top in qt_imports(path):
            assert path.stem == "pdf" and not top, f"{path}:{line} imports {name}"


def test_running_an_audit_loads_no_qt_and_no_scapy():
    code = (
        "import sys, main; main.main(['audit', '--only', 'SMTP-LISTEN', '--json']);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'scapy')];"
        "print('LOADED', bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, encoding="utf-8", cwd=ROOT, timeout=60
    ).stdout
    assert "LOADED []" in out
