"""The finding kinds, declared once: id, heading, order, icon, scoring weight and default blocking.

Models (the ``FindingKind`` literal), conditions (``present``), the engine, reports, the summary and
vignette scoring all derive from :data:`KINDS`; nothing else lists the kinds. The tuple order is the
order of every summary, as clinicians asked for it: what stops first, what is missing last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "FINDING_KINDS",
    "GAP_CLASSES",
    "GAP_CLASSES_BY_ID",
    "KINDS",
    "KINDS_BY_ID",
    "PRESENT_KINDS",
    "SUMMARY_ORDER",
    "FindingKind",
    "GapClass",
    "KindInfo",
    "PresentKind",
]


@dataclass(frozen=True, slots=True)
class KindInfo:
    id: str
    heading: str
    icon: str  # Material Symbols name, rendered by any UI that wants one
    weight: int  # vignette scoring: a missed or wrongly added finding of this kind costs this much
    blocks_by_default: bool  # blocks its criterion's stage unless the YAML says otherwise
    present_words: tuple[str, str]  # how a ``present`` test reads when it holds / when it is negated
    singular: str  # one finding of this kind, as a line of the record names it
    box: str  # how a summary frames it: "error" (red, it stands in the way), "warning", "info" or "plain"
    projected: int  # at most this many are named on the projected screen; the rest are counted


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "contraindication",
        "Contraindications",
        "block",
        3,
        True,
        ("a contraindication is recorded", "no contraindication is recorded"),
        singular="Contraindication",
        box="error",
        projected=3,
    ),
    KindInfo(
        "caution",
        "Cautions",
        "warning",
        1,
        False,
        ("a caution is recorded", "no caution is recorded"),
        singular="Caution",
        box="warning",
        projected=2,
    ),
    KindInfo(
        "unfavourable",
        "Factors against",
        "thumb_down",
        1,
        False,
        ("a factor against is recorded", "no factor against is recorded"),
        singular="Factor against",
        box="warning",
        projected=2,
    ),
    KindInfo(
        "favourable",
        "Factors in favour",
        "thumb_up",
        1,
        False,
        ("a factor in favour is recorded", "no factor in favour is recorded"),
        singular="Factor in favour",
        box="plain",
        projected=3,
    ),
    KindInfo(
        "prerequisite-unmet",
        "Prerequisites not met",
        "pending_actions",
        1,
        True,
        ("a prerequisite is not met", "every prerequisite is met"),
        singular="Prerequisite not met",
        box="error",
        projected=3,
    ),
    KindInfo(
        "missing",
        "Missing information",
        "help",
        1,
        False,
        ("information is missing", "no information is missing"),
        singular="Missing information",
        box="info",
        projected=2,
    ),
)

FindingKind = Literal["contraindication", "caution", "unfavourable", "favourable", "prerequisite-unmet", "missing"]
#: What a ``present`` test may name: a finding kind, or ``unanswered`` (an applicable item has no answer).
PresentKind = Literal[
    "contraindication", "caution", "unfavourable", "favourable", "prerequisite-unmet", "missing", "unanswered"
]

KINDS_BY_ID: dict[str, KindInfo] = {k.id: k for k in KINDS}
FINDING_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS)
SUMMARY_ORDER: tuple[tuple[str, str], ...] = tuple((k.id, k.heading) for k in KINDS)
PRESENT_KINDS: dict[str, tuple[str, str]] = {
    **{k.id: k.present_words for k in KINDS},
    "unanswered": ("items remain unanswered", "every applicable item is answered"),
}


@dataclass(frozen=True, slots=True)
class GapClass:
    """One kind of missing information, as a referral meeting must keep them apart."""

    id: str
    heading: str
    meaning: str  # one sentence for trainees (the Criteria page) and reports


#: The three kinds of missing information, in the order a meeting reads them. Only the first holds a
#: step. Which class an open item is in follows from the criteria: ``routine_answer`` on a criterion
#: makes it routine while unanswered, and a later stage than the current one makes it a later item.
GAP_CLASSES: tuple[GapClass, ...] = (
    GapClass(
        "decisive",
        "Decisive unknowns",
        "An answer could change the step for the meeting's question: the referral raises the item (it is "
        "answered Unknown or carries a note) or it is part of the indication (severity, pattern, cause, type "
        "of hypertonia, what has been tried). Ranked: what could stand in the way first, then what would "
        "change how the test is done.",
    ),
    GapClass(
        "routine",
        "Work before the stage",
        "Documented anyway while the stage is booked (consent, baseline measures, a response definition, "
        "confirming no allergy, infection or uncontrolled seizures): until answered, the rules read such an "
        "item as its expected answer, so it never holds the step; it is listed as work to do.",
    ),
    GapClass(
        "later",
        "Later stage",
        "Settled before a later stage (implantation): it cannot change the step for the current question.",
    ),
)
GAP_CLASSES_BY_ID: dict[str, GapClass] = {g.id: g for g in GAP_CLASSES}

# The literals exist for the schema and for mypy; they must name exactly the declared kinds.
assert set(get_args(FindingKind)) == set(FINDING_KINDS), "FindingKind and KINDS disagree"
assert set(get_args(PresentKind)) == set(PRESENT_KINDS), "PresentKind and KINDS disagree"
assert all((k.box == "error") == k.blocks_by_default for k in KINDS), "a kind that blocks is framed in red"
