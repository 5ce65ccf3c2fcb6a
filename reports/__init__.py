"""Turns results into the letter, the human report and the evidence bundle. No Qt imports, except
a PDF writer that loads QtGui lazily."""
