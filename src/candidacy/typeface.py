"""The one typeface of every PDF the project writes (the record, the meeting pack, the screening
worksheet): Source Sans Pro from its pinned package, so the bytes of a PDF do not depend on the
machine's fonts, and a fixed creation date for a file with no date of its own to carry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import font_source_sans_pro
from fpdf import FPDF

__all__ = ["FAMILY", "FIXED_DATE", "add_typeface"]

FAMILY = "SourceSans"
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_FONTS = Path(font_source_sans_pro.__file__).parent / "files"


def add_typeface(pdf: FPDF) -> None:
    """Register the regular, bold and italic faces under :data:`FAMILY`."""
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "It")):
        pdf.add_font(FAMILY, style, str(_FONTS / f"SourceSansPro-{name}.ttf"))
