"""The canonical JSON record itself."""

from __future__ import annotations

from candidacy.reports.record import Record

__all__ = ["JsonRenderer"]


class JsonRenderer:
    name = "json"
    suffix = "json"
    media_type = "application/json"

    def render(self, record: Record) -> bytes:
        return record.to_json().encode("utf-8")
