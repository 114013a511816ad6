"""A case being assessed: the answers so far and the case header, kept as one :class:`AnswerSet`.

The app keeps one draft per criteria set and never anything else as the source of truth; widgets
only copy their values in. Saving a draft gives exactly an answers file for ``python -m candidacy
evaluate``; loading one checks it against the criteria before it replaces anything.
"""

from __future__ import annotations

import re

from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.answers import Answer, AnswerSet, GivenValue, check_answers, parse_answers
from candidacy.reasoning.assessment import Assessment
from candidacy.reasoning.engine import evaluate
from candidacy.reports.record import Record, build_record

__all__ = [
    "assess",
    "download_name",
    "draft_json",
    "draft_record",
    "load_draft",
    "new_draft",
    "set_answer",
    "set_note",
]


def new_draft(cset: CriteriaSet) -> AnswerSet:
    return AnswerSet(criteria=cset.id, version=cset.version)


def set_answer(draft: AnswerSet, crit_id: str, value: GivenValue) -> None:
    current = draft.answers.get(crit_id, Answer())
    draft.answers[crit_id] = Answer(value=value, note=current.note)
    _drop_if_empty(draft, crit_id)


def set_note(draft: AnswerSet, crit_id: str, note: str) -> None:
    current = draft.answers.get(crit_id, Answer())
    draft.answers[crit_id] = Answer(value=current.value, note=note)
    _drop_if_empty(draft, crit_id)


def _drop_if_empty(draft: AnswerSet, crit_id: str) -> None:
    answer = draft.answers[crit_id]
    if answer.value is None and not answer.note:
        del draft.answers[crit_id]


def assess(cset: CriteriaSet, draft: AnswerSet) -> Assessment:
    return evaluate(cset, check_answers(cset, draft))


def draft_json(draft: AnswerSet) -> str:
    """The draft as an answers file (JSON), case header included; criteria order is kept."""
    return draft.model_dump_json(indent=2) + "\n"


def draft_record(cset: CriteriaSet, draft: AnswerSet) -> Record:
    """The canonical record of the draft as it stands (every download is derived from it)."""
    return build_record(cset, draft)


def load_draft(raw: bytes, name: str, cset: CriteriaSet) -> AnswerSet:
    """Read a saved answers file, or a FHIR QuestionnaireResponse, for ``cset``.

    Raises a CandidacyError (AnswersError, SourceFileError, FhirError) naming each problem.
    """
    if b'"QuestionnaireResponse"' in raw[:4096]:
        from candidacy.fhir import answers_from_response

        return answers_from_response(cset, raw, name)
    answer_set, located = parse_answers(raw, name)
    check_answers(cset, answer_set, located)
    return answer_set


def download_name(draft: AnswerSet, suffix: str) -> str:
    """A safe file name from the case label (the label is untrusted text)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", draft.case.label).strip("-")[:60] or "case"
    return f"{draft.criteria}-{stem}.{suffix}"
