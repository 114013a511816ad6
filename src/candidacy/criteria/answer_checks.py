"""Cross checks of each item's answers: every answer has its finding once, and later data can name only real answers.

A scale's bands cover each level exactly once and a number's bands cover its range without gap or
overlap, so that every answer gives one finding (or none, said explicitly); a routine item's expected
answer is one of its answers and blocks nothing; the migration into this version names only items and
answers this version has. Each check yields :data:`~candidacy.criteria.faults.Fault` triples.
"""

from __future__ import annotations

from collections.abc import Iterator

from candidacy.criteria.faults import Fault, criterion_paths, duplicates_of
from candidacy.criteria.located import PathKey
from candidacy.criteria.models import UNKNOWN, CriteriaSet, NumberAnswer, ScaleAnswer
from candidacy.criteria.values import blocked_stage, choices, finding_for, format_number, level_index

__all__ = ["answer_space_faults", "migration_faults", "routine_answer_faults"]


def answer_space_faults(cset: CriteriaSet) -> Iterator[Fault]:
    for path, c in criterion_paths(cset):
        answer = c.answer
        apath = (*path, "answer")
        if isinstance(answer, ScaleAnswer):
            scale = cset.scales_by_id.get(answer.scale)
            if scale is None:
                yield (*apath, "scale"), f"unknown scale '{answer.scale}' (not in the scales list)", c.id
                continue
            covered: dict[int, int] = {}
            levels_ok = True
            for b, band in enumerate(answer.bands):
                ends = []
                for key, level in (("from", band.from_), ("to", band.to)):
                    index = level_index(c, cset, level)
                    if index is None:
                        levels_ok = False
                        yield (*apath, "bands", b, key), f"'{level}' is not a level of scale '{scale.id}'", c.id
                    ends.append(index)
                low, high = ends
                if low is None or high is None:
                    continue
                if low > high:
                    yield (*apath, "bands", b), f"band runs backwards ('{band.from_}' is above '{band.to}')", c.id
                for index in range(low, high + 1):
                    if index in covered:
                        level = scale.levels[index].value
                        yield (*apath, "bands", b), f"level '{level}' is in more than one band", c.id
                    covered[index] = b
            for index, lv in enumerate(scale.levels):
                if levels_ok and index not in covered:
                    yield (
                        (*apath, "bands"),
                        f"level '{lv.value}' has no finding; add a band (finding: null for none)",
                        c.id,
                    )
        elif isinstance(answer, NumberAnswer):
            yield from _number_bands(answer, apath, c.id)


def _number_bands(answer: NumberAnswer, apath: PathKey, crit: str) -> Iterator[Fault]:
    if answer.min >= answer.max:
        yield (
            (*apath, "max"),
            f"max ({format_number(answer.max)}) must be above min ({format_number(answer.min)})",
            crit,
        )
        return
    bands = sorted(enumerate(answer.bands), key=lambda ib: float("-inf") if ib[1].at_least is None else ib[1].at_least)
    reach = float("-inf")
    for position, (b, band) in enumerate(bands):
        low = float("-inf") if band.at_least is None else band.at_least
        high = float("inf") if band.below is None else band.below
        if low >= high:
            yield (*apath, "bands", b), "band is empty (at_least must be below 'below')", crit
            continue
        start = answer.min if position == 0 else reach
        if low > start:
            yield (*apath, "bands", b), _gap(start, low), crit
        elif position and low < reach:
            overlap = f"band overlaps another from {format_number(low)} to {format_number(reach)}"
            yield (*apath, "bands", b), overlap, crit
        reach = max(reach, high)
    if reach <= answer.max:
        yield (*apath, "bands"), _gap(reach, answer.max), crit


def _gap(low: float, high: float) -> str:
    return (
        f"values from {format_number(low)} to {format_number(high)} have no finding; "
        "add a band (finding: null for none)"
    )


def routine_answer_faults(cset: CriteriaSet) -> Iterator[Fault]:
    """A routine item's expected answer is one of its answers, and one that stands in the way of nothing:
    the rules read an unanswered routine item as that answer, so it must never block a stage by itself."""
    for path, c in criterion_paths(cset):
        if c.routine_answer is None:
            continue
        where = (*path, "routine_answer")
        options = choices(c, cset)
        if options is None:
            yield where, "only a closed answer (yes/no, a choice, a scale) can have a routine answer", c.id
            continue
        values = [value for value, _ in options]
        if c.routine_answer not in values:
            yield where, f"'{c.routine_answer}' is not one of this item's answers ({', '.join(values)})", c.id
            continue
        spec = finding_for(c, cset, c.routine_answer)
        if spec is not None and blocked_stage(cset, c, spec) is not None:
            yield where, f"the routine answer '{c.routine_answer}' gives a {spec.kind} that blocks a stage", c.id


def migration_faults(cset: CriteriaSet) -> Iterator[Fault]:
    """One migration per earlier version, none from this one, and the step into this version names only items
    and answers this version has (earlier steps name those of their own version, which this file cannot see).
    Answers of a version from which no chain of steps leads here are refused with a message when read."""
    yield from duplicates_of(
        ((("migrations", i, "from"), m.from_) for i, m in enumerate(cset.migrations)), "migration from"
    )
    for i, migration in enumerate(cset.migrations):
        where: PathKey = ("migrations", i)
        if migration.from_ == cset.version:
            yield (*where, "from"), f"a migration from {migration.from_} is from this very version", None
            continue
        if migration.to != cset.version:
            continue
        for cid, rule in migration.answers.items():
            for target in rule.into or [cid]:
                criterion = cset.criteria_by_id.get(target)
                if criterion is None:
                    yield (*where, "answers", cid), f"'{target}' is not an item of version {cset.version}", None
                    continue
                options = [v for v, _ in choices(criterion, cset) or []]
                for old, new in rule.values.items():
                    if new is not None and new != UNKNOWN and new not in options:
                        message = f"'{new}' is not an answer of '{target}' ({', '.join(options) or 'a number'})"
                        yield (*where, "answers", cid, "values", old), message, target
