"""What confirming a screening outcome writes on the case: its answers, with the worksheet as evidence.

The team's confirmation of a worksheet (:class:`~candidacy.case.worksheet_changes.ConfirmOutcome`)
answers the case's screening item with the outcome's mapped answer and a note naming the worksheet,
the response definition the team chose, the reaction the recorded adverse events amount to, and what
a dose tolerated without a reaction settles (an open hypersensitivity question, never a recorded
answer). Each is an ordinary answer change, applied and audited as if typed, so the case's rules
(a reviewed revision is frozen, an answer the criteria do not accept) hold for it too. Which items
and answers these are is data: the protocol names them.
"""

from __future__ import annotations

from candidacy.criteria.models import UNKNOWN, CriteriaSet
from candidacy.criteria.values import choices
from candidacy.errors import Refused
from candidacy.reasoning.answers import AnswerSet
from candidacy.reasoning.changes import AnswerChange, SetAnswer, SetNote
from candidacy.screening.protocol import Protocol
from candidacy.screening.result import compute_result
from candidacy.screening.worksheet import Worksheet

__all__ = ["confirmation_changes"]


def confirmation_changes(
    protocol: Protocol, cset: CriteriaSet, number: int, ws: Worksheet, answers: AnswerSet
) -> list[AnswerChange]:
    """The answer changes that confirming worksheet ``number`` (``ws``, confirmed) makes on a case whose
    answers are ``answers`` and whose criteria set is ``cset`` (the one the protocol is written for)."""
    if ws.confirmation is None:
        raise Refused(f"screening worksheet {number} is not confirmed")
    if cset.id != protocol.criteria:
        raise Refused(
            f"screening protocol '{protocol.id}' answers criteria set '{protocol.criteria}', "
            f"but this case is assessed against '{cset.id}'"
        )
    result = compute_result(protocol, ws)
    mapped = protocol.outcome(ws.confirmation.outcome)
    evidence = (
        f"From screening worksheet {number} ({protocol.id} {protocol.version}): {mapped.label}. "
        f"{result.outcome_sentence} {result.definition_sentence} {result.confirmed}"
    )
    item = protocol.answer_item
    found: list[AnswerChange] = [SetAnswer(item, mapped.answer), SetNote(item, evidence)]
    definition = result.definition
    if protocol.definition_item and definition is not None and definition.answer:
        found.append(SetAnswer(protocol.definition_item, definition.answer))
    recorded = [event.event for dose in ws.doses for event in dose.adverse_events]
    if protocol.reaction_item:
        severity = [value for value, _ in choices(cset.criteria_by_id[protocol.reaction_item], cset) or []]
        answer = protocol.adverse_events.reaction_answer(recorded, severity)
        if answer is not None:
            found.append(SetAnswer(protocol.reaction_item, answer))
    settles = protocol.tolerated_dose
    given = any(dose.given_at is not None for dose in ws.doses)
    if settles is not None and given and not set(recorded) & set(settles.unless_events):
        current = answers.answers.get(settles.item)
        if current is None or current.value in (None, UNKNOWN):
            note = f"{settles.note.strip()} Worksheet {number}."
            if current is not None and current.note:
                note = f"{current.note}\n{note}"
            found += [SetAnswer(settles.item, settles.answer), SetNote(settles.item, note)]
    return found
