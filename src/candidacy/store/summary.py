"""The one-line summary of a stored case, shared by the command line and the app.

Its gap count is every applicable item without a usable answer: not yet answered, or answered Unknown
(the summary's "missing information"); the words say both, so it is not read as either alone.
"""

from __future__ import annotations

from candidacy.store.rows import CaseRow

__all__ = ["summary_line"]


def summary_line(row: CaseRow) -> str:
    meeting = row.meeting_date.isoformat() if row.meeting_date else "no meeting date"
    archived = " [archived]" if row.archived else ""
    decision = f" · decision: {row.decision}" if row.decision else ""
    if row.damaged:
        meeting = f"TAMPERED ({row.damaged}; run cases verify)"
    return (
        f"#{row.id} {meeting} {row.label}{archived} · {row.status} (revision {row.revision}) · "
        f"{row.contraindications} contraindication(s), {row.against} factor(s) against, "
        f"{row.missing} not yet answered or unknown · "
        f"next: {row.next_step or 'none'}{decision}"
    )
