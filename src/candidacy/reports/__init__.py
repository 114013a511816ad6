"""Renderers of the canonical record, one module per format behind one small interface.

    Renderer.render(record) -> bytes      (markdown, json, pdf)

:func:`write_atomic` (from :mod:`candidacy.files`) writes any of them all or nothing, and only over a
regular file or a new path.

The PDF library (fpdf2, with fontTools, Pillow and NumPy behind it) is imported on the first PDF
rendered, not with this package: the app's pages import the record and the screen helpers from here,
and should not pay for the PDF stack until someone downloads a PDF.
"""

from __future__ import annotations

from typing import Protocol

from candidacy.errors import OutputError
from candidacy.files import write_atomic
from candidacy.reports.json_record import JsonRenderer
from candidacy.reports.markdown import MarkdownRenderer
from candidacy.reports.record import Record

__all__ = ["RENDERERS", "Renderer", "ReportError", "render", "write_atomic"]


class Renderer(Protocol):
    name: str
    suffix: str
    media_type: str

    def render(self, record: Record) -> bytes: ...


class PdfRenderer:
    """The PDF renderer; :mod:`candidacy.reports.pdf` is imported when the first PDF is rendered."""

    name = "pdf"
    suffix = "pdf"
    media_type = "application/pdf"

    def render(self, record: Record) -> bytes:
        from candidacy.reports.pdf import render_pdf

        return render_pdf(record)


RENDERERS: dict[str, Renderer] = {r.name: r for r in (PdfRenderer(), MarkdownRenderer(), JsonRenderer())}

ReportError = OutputError
"""The name callers know for :class:`~candidacy.errors.OutputError`: a report could not be written."""


def render(record: Record, fmt: str) -> bytes:
    return RENDERERS[fmt].render(record)
