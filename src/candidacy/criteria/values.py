"""What answers a criterion admits and what each one means: shared by checks, answers and engine."""

from __future__ import annotations

from candidacy.criteria.kinds import KINDS_BY_ID
from candidacy.criteria.models import (
    UNKNOWN,
    ChoiceAnswer,
    CriteriaSet,
    Criterion,
    FindingSpec,
    NumberAnswer,
    ScaleAnswer,
    Stage,
    YesNoAnswer,
)

__all__ = [
    "answer_label",
    "blocked_stage",
    "choices",
    "finding_for",
    "finding_specs",
    "format_number",
    "level_index",
]

YES_NO = (("yes", "Yes"), ("no", "No"))


def choices(criterion: Criterion, cset: CriteriaSet) -> list[tuple[str, str]] | None:
    """The (value, label) pairs of a closed answer type, in order; None for a number."""
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        return list(YES_NO)
    if isinstance(answer, ChoiceAnswer):
        return [(o.value, o.label) for o in answer.options]
    if isinstance(answer, ScaleAnswer):
        scale = cset.scales_by_id.get(answer.scale)
        return [(lv.value, lv.label) for lv in scale.levels] if scale else []
    return None


def level_index(criterion: Criterion, cset: CriteriaSet, value: str) -> int | None:
    """Position of a scale level, so that levels compare in the scale's own order."""
    answer = criterion.answer
    if not isinstance(answer, ScaleAnswer):
        return None
    scale = cset.scales_by_id.get(answer.scale)
    if scale is None:
        return None
    for i, level in enumerate(scale.levels):
        if level.value == value:
            return i
    return None


def finding_specs(criterion: Criterion) -> list[tuple[tuple[str | int, ...], FindingSpec]]:
    """Every finding an item can produce, with its path below ``answer`` (for checks and the engine)."""
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        pairs: list[tuple[tuple[str | int, ...], FindingSpec | None]] = [(("yes",), answer.yes), (("no",), answer.no)]
    elif isinstance(answer, ChoiceAnswer):
        pairs = [(("options", i, "finding"), o.finding) for i, o in enumerate(answer.options)]
    elif isinstance(answer, ScaleAnswer):
        pairs = [(("bands", i, "finding"), b.finding) for i, b in enumerate(answer.bands)]
    else:
        pairs = [(("bands", i, "finding"), n.finding) for i, n in enumerate(answer.bands)]
    return [(path, spec) for path, spec in pairs if spec is not None]


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def answer_label(criterion: Criterion, cset: CriteriaSet, value: str | float) -> str:
    """How an answer reads in a report."""
    if value == UNKNOWN:
        return "Unknown"
    options = choices(criterion, cset)
    if options is None:
        assert isinstance(criterion.answer, NumberAnswer)
        return f"{format_number(float(value))} {criterion.answer.unit}"
    for option_value, label in options:
        if option_value == value:
            return label
    return str(value)


def finding_for(criterion: Criterion, cset: CriteriaSet, value: str | float) -> FindingSpec | None:
    """The finding a known answer produces (unknown answers are handled by the engine)."""
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        return answer.yes if value == "yes" else answer.no if value == "no" else None
    if isinstance(answer, ChoiceAnswer):
        for option in answer.options:
            if option.value == value:
                return option.finding
        return None
    if isinstance(answer, ScaleAnswer):
        index = level_index(criterion, cset, str(value))
        if index is None:
            return None
        for band in answer.bands:
            low = level_index(criterion, cset, band.from_)
            high = level_index(criterion, cset, band.to)
            if low is not None and high is not None and low <= index <= high:
                return band.finding
        return None
    number = float(value)
    for nband in answer.bands:
        if (nband.at_least is None or number >= nband.at_least) and (nband.below is None or number < nband.below):
            return nband.finding
    return None


def blocked_stage(cset: CriteriaSet, criterion: Criterion, spec: FindingSpec) -> Stage | None:
    """The stage a finding stands in the way of: as declared, or by its kind's default (its item's stage)."""
    stage_id = spec.blocks
    if stage_id is None and KINDS_BY_ID[spec.kind].blocks_by_default:
        stage_id = criterion.stage
    return cset.stages_by_id.get(stage_id) if stage_id else None
