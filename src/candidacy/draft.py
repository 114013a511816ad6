"""A case being assessed: the answers so far and the case header, kept as one :class:`AnswerSet`.

The app keeps one draft per criteria set and never anything else as the source of truth; widgets
only copy their values in. Saving a draft gives exactly an answers file for ``python -m candidacy
evaluate``; loading one checks it against the criteria before it replaces anything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from candidacy.case import CaseContent, SetAnswer, SetHeader, SetNote, apply_change
from candidacy.criteria.models import ChoiceAnswer, CriteriaSet, Criterion, Section, YesNoAnswer
from candidacy.errors import CandidacyError
from candidacy.files import write_atomic
from candidacy.reasoning.answers import (
    HEADER_TEXT_MAX,
    Answer,
    AnswerSet,
    CaseHeader,
    GivenValue,
    check_answers,
    migrate_answers,
    parse_answers,
)
from candidacy.reasoning.assessment import Assessment
from candidacy.reasoning.engine import evaluate
from candidacy.reports.record import Record, build_record

__all__ = [
    "KeptDraft",
    "absence_answer",
    "absence_items",
    "assess",
    "attribution",
    "discard_kept",
    "download_name",
    "draft_json",
    "draft_record",
    "keep_draft",
    "kept_draft",
    "load_draft",
    "new_draft",
    "read_draft",
    "set_answer",
    "set_header",
    "set_note",
]


def new_draft(cset: CriteriaSet) -> AnswerSet:
    return AnswerSet(criteria=cset.id, version=cset.version)


def set_answer(draft: AnswerSet, crit_id: str, value: GivenValue) -> None:
    """Change ``draft`` in place through :func:`apply_change` (for a draft only this session holds)."""
    draft.answers = apply_change(CaseContent(draft), SetAnswer(crit_id, value)).answers.answers


def set_note(draft: AnswerSet, crit_id: str, note: str) -> None:
    draft.answers = apply_change(CaseContent(draft), SetNote(crit_id, note)).answers.answers


def set_header(draft: AnswerSet, name: str, value: Any) -> None:
    """One field of the case header (label, assessor, role, dates), validated like a loaded file."""
    draft.case = apply_change(CaseContent(draft), SetHeader(name, value)).answers.case


def attribution(case: CaseHeader, name: str, role: str) -> dict[str, str]:
    """The header fields to fill from the person making a change: their name as the assessor, and their
    role, while the case names no assessor.

    Why: the name given in the sidebar or at sign-in is who is assessing; without this the record (and
    the signed PDF) said nobody assessed the case. A name already typed is never replaced, and a field
    the header cannot hold (over 120 characters) is left for the person to type.
    """
    if case.assessor.strip() or not name.strip():
        return {}
    fields = {"assessor": name} if len(name) <= HEADER_TEXT_MAX else {}
    if fields and role.strip() and not case.role.strip() and len(role) <= HEADER_TEXT_MAX:
        fields["role"] = role
    return fields


def absence_answer(criterion: Criterion) -> str | None:
    """The answer that says "not present" and records nothing, if the item has one.

    A yes/no item whose "yes" gives a finding and whose "no" gives none asks "is X present?", so
    "no" means absent; a choice item with an option "none" that gives no finding says so by name.
    """
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        return "no" if answer.yes is not None and answer.no is None else None
    if isinstance(answer, ChoiceAnswer):
        return next((o.value for o in answer.options if o.value == "none" and o.finding is None), None)
    return None


def absence_items(
    cset: CriteriaSet, section: Section, draft: AnswerSet, skipped: set[str] | None = None
) -> dict[str, str]:
    """The unanswered, applicable items of a section that one "none of these" answers, with that answer.

    Items already answered are never changed. ``skipped`` (the items that do not apply) saves an
    evaluation when the caller has just assessed the draft.
    """
    if skipped is None:
        skipped = {n.criterion for n in assess(cset, draft).not_applicable}
    found: dict[str, str] = {}
    for criterion in section.criteria:
        absent = absence_answer(criterion)
        if (
            absent is not None
            and criterion.id not in skipped
            and draft.answers.get(criterion.id, Answer()).value is None
        ):
            found[criterion.id] = absent
    return found


def assess(cset: CriteriaSet, draft: AnswerSet) -> Assessment:
    return evaluate(cset, check_answers(cset, draft))


def draft_json(draft: AnswerSet) -> str:
    """The draft as an answers file (JSON), case header included; criteria order is kept."""
    return draft.model_dump_json(indent=2) + "\n"


def draft_record(cset: CriteriaSet, draft: AnswerSet) -> Record:
    """The canonical record of the draft as it stands (every download is derived from it)."""
    return build_record(cset, draft)


def load_draft(raw: bytes, name: str, cset: CriteriaSet) -> AnswerSet:
    """Read a saved answers file, or a FHIR QuestionnaireResponse, for ``cset`` (see :func:`read_draft`)."""
    return read_draft(raw, name, cset)[0]


def read_draft(raw: bytes, name: str, cset: CriteriaSet) -> tuple[AnswerSet, tuple[str, ...]]:
    """Read a saved answers file, or a FHIR QuestionnaireResponse, for ``cset``; answers recorded under an
    earlier version come back as this version reads them, with the lines that say what the migration did.

    Raises a CandidacyError (AnswersError, SourceFileError, FhirError) naming each problem.
    """
    if b'"QuestionnaireResponse"' in raw[:4096]:
        from candidacy.fhir import read_response

        return read_response(cset, raw, name)  # with notes such as the items a 'completed' form left blank
    answer_set, located = parse_answers(raw, name)
    check_answers(cset, answer_set, located)
    return migrate_answers(cset, answer_set)


def download_name(draft: AnswerSet, suffix: str) -> str:
    """A safe file name from the case label (the label is untrusted text)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", draft.case.label).strip("-")[:60] or "case"
    return f"{draft.criteria}-{stem}.{suffix}"


@dataclass(frozen=True)
class KeptDraft:
    """An unsaved draft kept on this machine, and when it was last changed."""

    answers: AnswerSet
    changed: dt.datetime


def _kept_path(folder: Path, token: str, criteria_id: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", token):
        raise CandidacyError(f"'{token[:80]}' is not a draft token")
    return folder / f"{token}.{criteria_id}.json"


def keep_draft(folder: Path, token: str, draft: AnswerSet) -> None:
    """Write an unsaved draft under its token, atomically and durably (a crash leaves the old file or the new)."""
    path = _kept_path(folder, token, draft.criteria)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, draft_json(draft).encode("utf-8"))


def kept_draft(folder: Path, token: str, cset: CriteriaSet) -> KeptDraft | None:
    """The draft kept under ``token`` for ``cset``, checked against the criteria; None when there is none."""
    path = _kept_path(folder, token, cset.id)
    try:
        raw = path.read_bytes()
        changed = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    except FileNotFoundError:
        return None
    return KeptDraft(load_draft(raw, path.name, cset), changed)


def discard_kept(folder: Path, token: str, criteria_id: str) -> None:
    _kept_path(folder, token, criteria_id).unlink(missing_ok=True)
