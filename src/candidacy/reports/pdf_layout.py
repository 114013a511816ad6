"""The page of the record PDF (fpdf2): its font, running header and footer, and a fast text flow.

Every record page carries the case label (shortened with an ellipsis to fit; the full label is on
page 1), the criteria set and "page N of M". The font (Source Sans Pro, OFL) comes from a PyPI
package, so Unicode text (é, µ, ≥) renders without system fonts. A character the font cannot draw
(full-width letters, CJK, emoji) is never dropped: it is printed as its code point, ``[U+FF2D]``, so
that two different labels never print alike. No wall-clock time goes into the file: the same record
gives the same bytes. What the pages say is written by :mod:`.pdf` and :mod:`.pdf_signoff`.
"""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from candidacy.reports.record import Record
from candidacy.text import printable
from candidacy.typeface import FAMILY, FIXED_DATE, add_typeface

__all__ = ["FAMILY", "RUNNING_NOTE", "Document"]

_ELLIPSIS = "…"
RUNNING_NOTE = "Decision support for clinician review, not a decision"


class Document(FPDF):
    def __init__(self, record: Record) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.record: Record | None = record
        self._widths: dict[tuple[str, str, float, str], float] = {}
        add_typeface(self)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(f"Reasoning record: {record.criteria.title}")
        self.set_subject(f"Case {record.case.label}" if record.case.label else "Reasoning record")
        self.set_creator("candidacy")
        # A reviewed record must be reproducible byte for byte: no wall-clock time in the file.
        created = record.case.assessed_on
        when = dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC) if created else FIXED_DATE
        self.set_creation_date(when)

    def normalize_text(self, text: str) -> str:
        """Every string drawn goes through here: control and bidirectional characters made visible, and
        each character the current font has no glyph for written as its code point (never dropped)."""
        shown = printable(text)
        font = self.current_font
        cmap = getattr(font, "cmap", None) if font is not None else None
        if cmap is not None:
            shown = "".join(c if c in "\n\t" or ord(c) in cmap else f"[U+{ord(c):04X}]" for c in shown)
        return str(super().normalize_text(shown))

    def header(self) -> None:
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        note_width = self.get_string_width(RUNNING_NOTE) + 4
        if self.record is None:  # the cover of a meeting pack
            left = "Meeting pack: cover and agenda"
        else:
            ref = f"  ·  {self.record.criteria.id} {self.record.criteria.version}"
            room = self.epw - note_width - self.get_string_width(ref)
            left = f"Case {self.shortened(self.record.case.label or '(no case label)', room, 'Case ')}{ref}"
        self.cell(self.epw - note_width, 5, left)
        self.cell(note_width, 5, RUNNING_NOTE, align="R", new_x=XPos.LMARGIN)
        self.ln(8)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        pages = "Page 999 of 999"  # the widest the page number can be once {nb} is filled in
        room = self.epw - self.get_string_width(pages) - 4
        if self.record is None:
            where = "Meeting pack"
        else:
            where = f"Case {self.shortened(self.record.case.label or '(no case label)', room, 'Case ')}"
        self.cell(room, 5, where, new_x=XPos.RIGHT)
        self.cell(self.epw - room, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def shortened(self, text: str, room: float, before: str = "") -> str:
        """``text`` cut to fit ``room`` (with ``before`` in front of it), ending in an ellipsis when cut."""
        if self.get_string_width(before + text) <= room:
            return text
        low, high = 0, len(text)  # the most characters that still fit with the ellipsis
        while low < high:
            middle = (low + high + 1) // 2
            if self.get_string_width(before + text[:middle] + _ELLIPSIS) <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + _ELLIPSIS

    # -- building blocks -------------------------------------------------------------------------
    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: float = 10, style: str = "", indent: float = 0) -> None:
        self._flow(text, size, style, indent)

    def labelled(self, label: str, text: str, indent: float = 0) -> None:
        """A bold label and plain text flowing after it (text is written as-is, never interpreted)."""
        self._flow(text, 10, "", indent, label=f"{label}: ")

    # fpdf2's own line breaking re-measures the line for every character it adds, which made a
    # ten-page record take about a third of a second. Words are measured once (cached) and each line
    # is placed with cell(), which still breaks pages automatically.
    def _width(self, text: str) -> float:
        cache_key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(cache_key)
        if width is None:
            width = self._widths[cache_key] = self.get_string_width(text)
        return width

    def _flow(self, text: str, size: float, style: str, indent: float, label: str = "") -> None:
        line_height = size * 0.48
        left = self.l_margin + indent
        available = self.w - self.r_margin - left
        self.set_font(FAMILY, style, size)
        lines = self._wrap(text, available, self._label_width(label, size) if label else 0.0)
        for number, line in enumerate(lines):
            if self.will_page_break(line_height):
                self.add_page()
            self.set_x(left)
            if number == 0 and label:
                self.set_font(FAMILY, "B", size)
                self.cell(self._width(label), line_height, label)
                self.set_font(FAMILY, style, size)
            self.cell(0, line_height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _fit(self, word: str, room: float) -> int:
        """How many leading characters of ``word`` fit in ``room`` (at least one), in one pass."""
        used = 0.0
        for count, char in enumerate(word):
            used += self._width(char)
            if used > room:
                return max(count, 1)
        return len(word)

    def _label_width(self, label: str, size: float) -> float:
        self.set_font(FAMILY, "B", size)
        width = self._width(label)
        self.set_font(FAMILY, "", size)
        return width

    def _wrap(self, text: str, available: float, first_offset: float) -> list[str]:
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n") or [""]:
            current: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                room = available - (first_offset if not lines else 0.0)
                width = self._width(word)
                gap = space if current else 0.0
                if current and used + gap + width > room:
                    lines.append(" ".join(current))
                    current, used, gap = [], 0.0, 0.0
                    room = available
                while width > room and len(word) > 1:  # a word longer than a line is cut
                    cut = self._fit(word, room)
                    lines.append(word[:cut])
                    word = word[cut:]
                    width = self._width(word)
                    room = available
                current.append(word)
                used += gap + width
            lines.append(" ".join(current))
        return lines
