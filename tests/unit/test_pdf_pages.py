"""The PDF report never splits a check over two pages (issue 32: rows and their backgrounds ran
across page breaks), and the layout Clearline measures is the one Qt prints."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import json, sys
from pathlib import Path
from PySide6.QtGui import QGuiApplication, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout
from reports import pdf
from reports.report import report_html
from tests.cases import JST, TODAY, build

app = QGuiApplication([])
html = report_html(build("infected", Path(sys.argv[1])), "ja", JST, TODAY)
start = html.index('<table class="checks" width="100%">\\n<tr class=')
end = html.index("</body>", start)
html = html[:start] + html[start:end] * 6 + html[end:]  # enough checks for several pages
out = {}
for keep in (False, True):
    target = Path(sys.argv[1]) / f"report-{keep}.pdf"
    writer = QPdfWriter(str(target))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    doc = QTextDocument()
    doc.setHtml(html)
    moved = pdf.keep_tables_on_one_page(doc, writer) if keep else []
    laid_out = pdf.printed_layout(doc, writer)
    out[str(keep)] = {
        "moved": moved,
        "straddling": pdf.straddling_tables(laid_out),
        "pages": laid_out.pageCount(),
        "tables": len(pdf._tables(doc)),
    }
    doc.print_(writer)
    del writer
    out[str(keep)]["printed_pages"] = target.read_bytes().count(b"/Type /Page\\n") or target.read_bytes().count(b"/Type /Page ")
print(json.dumps(out))
"""


@pytest.mark.skipif(
    sys.platform == "win32", reason="the Wine pass has no Japanese font; the layout is Qt's own"
)
def test_no_check_straddles_a_page_and_the_measured_layout_is_the_printed_one(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        encoding="utf-8",
        timeout=180,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    before, after = result["False"], result["True"]
    assert before["tables"] > 40
    assert before["straddling"], "the fixture must have checks that fall across a page break"
    assert after["straddling"] == []
    assert sorted(after["moved"]) == sorted(set(after["moved"])) and after["moved"]
    # What was measured is what Qt printed: same number of pages.
    assert after["pages"] == after["printed_pages"]
    assert before["pages"] == before["printed_pages"]
