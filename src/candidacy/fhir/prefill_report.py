"""A Prefill as the command line and the app show it: plain data for ``--json``, and the import summary
in words. Kept apart from :mod:`candidacy.fhir.prefill`, which decides what is proposed."""

from __future__ import annotations

from typing import Any

from candidacy.fhir.prefill import Prefill
from candidacy.fhir.sources import Source

__all__ = ["as_dict", "summary_lines"]


def as_dict(result: Prefill) -> dict[str, Any]:
    """The proposals, conflicts, out-of-date items and import summary as plain data (``--json``)."""

    def sources(items: tuple[Source, ...]) -> list[dict[str, str | None]]:
        return [s.as_dict() for s in items]

    return {
        "patient": result.patient,
        "assessment_date": result.on.isoformat(),
        "proposals": [
            {
                "criterion": p.criterion,
                "title": p.title,
                "value": p.value,
                "label": p.label,
                "rule": p.rule,
                "description": p.description,
                "check": p.check,
                "note": p.note_line(),
                "sources": sources(p.sources),
            }
            for p in result.proposals
        ],
        "conflicts": [
            {
                "criterion": c.criterion,
                "title": c.title,
                "candidates": [
                    {"value": cand.value, "label": label, "rule": cand.rule, "sources": sources(cand.sources)}
                    for label, cand in c.candidates
                ],
            }
            for c in result.conflicts
        ],
        "out_of_date": [
            {
                "criterion": s.criterion,
                "title": s.title,
                "label": s.label,
                "rule": s.rule,
                "look_back_months": s.look_back_months,
                "sources": sources(s.sources),
            }
            for s in result.stale
        ],
        "summary": result.summary,
    }


def summary_lines(result: Prefill) -> list[str]:
    """The import summary in words, as the command line and the app show it."""
    s = result.summary
    types = ", ".join(f"{kind} {n}" for kind, n in s["by_type"].items())
    lines = [
        f"{s['resources']} resources read from {len(s['files'])} file(s) ({types}), for {result.patient}.",
        f"{s['used']} gave a proposal, a conflict or an out-of-date item; "
        f"{s['unknown_codes']} had codes no rule knows (ignored).",
    ]
    if s["matched_without_answer"]:
        lines.append(f"{s['matched_without_answer']} matched a rule but gave no answer (a status or value outside it).")
    if s.get("out_of_range"):
        lines.append(f"{s['out_of_range']} gave a number outside the item's range and were not proposed.")
    if s.get("imprecise_date"):
        lines.append(
            f"{s['imprecise_date']} gave a date as a year or a month only, too coarse for a number of years or "
            "months, and were not proposed."
        )
    if s.get("no_subject"):
        lines.append(f"{s['no_subject']} named no patient (no subject) and were not used.")
    if s["after_assessment_date"]:
        lines.append(f"{s['after_assessment_date']} are dated after the assessment date and were not used.")
    if s["not_read"]:
        lines.append("Not read by any rule: " + ", ".join(f"{k} {n}" for k, n in s["not_read"].items()) + ".")
    return lines
