"""HTML to PDF through Qt's QTextDocument and QPdfWriter, with a Japanese font embedded.

The only module in reports/ that touches Qt, and only inside write_pdf: importing it costs
nothing, and nothing else in reports/ needs Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Fonts that can show Japanese, by platform; the first one found is embedded (Qt embeds the
# glyphs it uses as a subset).
FONT_FILES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/YuGothM.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
)


class PdfUnavailable(RuntimeError):
    """Qt could not be loaded (missing system libraries); the bundle goes without a PDF."""


# The packaged application carries IPA Gothic (packaging/clearline.spec): used first, so the
# report looks the same on every PC.
BUNDLED_FONT = Path(__file__).resolve().parents[1] / "fonts" / "ipag.ttf"


def japanese_font_file() -> str | None:
    candidates = (str(BUNDLED_FONT), *FONT_FILES)
    return next((f for f in candidates if os.path.exists(f)), None)


def write_pdf(html: str, path: Path) -> str | None:
    """Render ``html`` to ``path``; returns the font family used for Japanese, if any."""
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.platform.startswith("linux"):
        import locale

        if locale.nl_langinfo(locale.CODESET) != "UTF-8":
            # Qt wants a UTF-8 locale and says so on stderr; give it one (it changes only how
            # Qt decodes file names, which Clearline passes it as Python strings anyway).
            os.environ["LC_CTYPE"] = "C.UTF-8"
    try:
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import (
            QFont,
            QFontDatabase,
            QGuiApplication,
            QPageLayout,
            QPageSize,
            QPdfWriter,
            QTextDocument,
        )
    except ImportError as exc:
        raise PdfUnavailable(str(exc)) from exc
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] if sys.argv else "clearline"])
    family = None
    font_file = japanese_font_file()
    if font_file:
        font_id = QFontDatabase.addApplicationFont(font_file)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = families[0] if families else None
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("Clearline report")
    writer.setCreator("Clearline")
    doc = QTextDocument()
    if family:
        doc.setDefaultFont(QFont(family, 10))
    doc.setHtml(html)
    keep_tables_on_one_page(doc, writer)
    doc.print_(writer)
    del writer  # flushes and closes the file
    _ = app
    return family


def keep_tables_on_one_page(doc, writer) -> list[int]:
    """Move every table that would straddle a page break, and fits on one page, to the next page
    whole: a check split over two pages reads as two half-checks, and Qt can keep a table
    together but not a row. The breaks go on ``doc`` and on a copy laid out as print_ will lay
    it out, until nothing straddles. Returns the indexes (in document order) of the tables moved.
    """
    from PySide6.QtGui import QTextFrameFormat

    copy = printed_layout(doc, writer)
    originals, moved = _tables(doc), []
    for _round in range(200):  # each round moves one table; a report has a few dozen
        straddling = [i for i in straddling_tables(copy) if i not in moved]
        if not straddling:
            break
        moved.append(straddling[0])
        for table in (_tables(copy)[straddling[0]], originals[straddling[0]]):
            fmt = table.frameFormat()
            fmt.setPageBreakPolicy(QTextFrameFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            table.setFrameFormat(fmt)
    return moved


def printed_layout(doc, writer):
    """A copy of ``doc`` laid out as QTextDocument.print_ lays it out (Qt 6, qtextdocument.cpp):
    the writer as its device, 2 cm margins counted in the screen's dots (the layout scales them
    to the device) and the writer's page size."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    source_dpi_x = round(screen.logicalDotsPerInchX()) if screen else 96
    source_dpi_y = round(screen.logicalDotsPerInchY()) if screen else 96
    copy = doc.clone()
    copy.documentLayout().setPaintDevice(writer)
    root = copy.rootFrame().frameFormat()
    root.setLeftMargin(int((2 / 2.54) * source_dpi_x))
    root.setRightMargin(int((2 / 2.54) * source_dpi_x))
    root.setTopMargin(int((2 / 2.54) * source_dpi_y))
    root.setBottomMargin(int((2 / 2.54) * source_dpi_y))
    copy.rootFrame().setFrameFormat(root)
    copy.setPageSize(QSizeF(writer.width(), writer.height()))
    return copy


def straddling_tables(laid_out) -> list[int]:
    """Indexes of the tables that begin on one page and end on another, leaving out those too
    long to fit on one (80% of a page: they break where they must)."""
    height = laid_out.pageSize().height()
    layout = laid_out.documentLayout()
    found = []
    for index, table in enumerate(_tables(laid_out)):
        rect = layout.frameBoundingRect(table)
        if rect.height() >= 0.8 * height:
            continue
        if int(rect.top() // height) != int((rect.bottom() - 1) // height):
            found.append(index)
    return found


def _tables(doc) -> list:
    from PySide6.QtGui import QTextTable

    frames, found = list(doc.rootFrame().childFrames()), []
    while frames:
        frame = frames.pop(0)
        if isinstance(frame, QTextTable):
            found.append(frame)
        frames[:0] = list(frame.childFrames())
    return found
