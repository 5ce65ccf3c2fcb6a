"""PySide6 views and workers only: no analysis, no blocking I/O on the GUI thread."""
