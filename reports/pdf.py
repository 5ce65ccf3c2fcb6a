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
    doc.print_(writer)
    del writer  # flushes and closes the file
    _ = app
    return family
