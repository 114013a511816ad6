"""Renderers of the canonical record, one module per format behind one small interface.

    Renderer.render(record) -> bytes      (markdown, json, pdf)

:func:`write_atomic` writes any of them without ever leaving a partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from candidacy.errors import CandidacyError, Problem
from candidacy.reports.json_record import JsonRenderer
from candidacy.reports.markdown import MarkdownRenderer
from candidacy.reports.pdf import PdfRenderer
from candidacy.reports.record import Record

__all__ = ["RENDERERS", "Renderer", "ReportError", "render", "write_atomic"]


class Renderer(Protocol):
    name: str
    suffix: str
    media_type: str

    def render(self, record: Record) -> bytes: ...


RENDERERS: dict[str, Renderer] = {r.name: r for r in (PdfRenderer(), MarkdownRenderer(), JsonRenderer())}


class ReportError(CandidacyError):
    """A report could not be written (missing folder, no permission)."""


def render(record: Record, fmt: str) -> bytes:
    return RENDERERS[fmt].render(record)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: all or nothing."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(Problem(f"output folder does not exist: {folder}", file=str(path)))
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ReportError(Problem(f"cannot write here: {exc.strerror or exc}", file=str(path))) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(Problem(f"cannot write: {exc.strerror or exc}", file=str(path))) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
