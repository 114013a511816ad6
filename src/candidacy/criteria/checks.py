"""Cross checks a schema cannot express: ids, references, value spaces, cycles and wording.

Each check yields ``(path, message, criterion_id)``; the loader turns those into located problems,
so that one run reports every fault of a file at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from candidacy.criteria.codes import code_faults
from candidacy.criteria.conditions import AnswerIs, Blocked, Condition, Present, iter_leaves
from candidacy.criteria.models import (
    UNKNOWN,
    ChoiceAnswer,
    CriteriaSet,
    Criterion,
    FindingSpec,
    NumberAnswer,
    ScaleAnswer,
    SourceRef,
)
from candidacy.criteria.values import blocked_stage, choices, finding_for, finding_specs, format_number, level_index

__all__ = ["VERDICT_PATTERNS", "Fault", "check_criteria_set", "verdict_words"]

Path = tuple[str | int, ...]
Fault = tuple[Path, str, str | None]

#: Wording that reads like a decision. The tool lays out findings for clinicians; it never decides.
VERDICT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(in)?eligib\w*",
        r"\bcandidate\s*[:=]\s*(yes|no)\b",
        r"\bis (a|an|not a) (good |poor |suitable )?candidate\b",
        r"\b(approved|rejected)\b",
        r"\bqualif(y|ies|ied)\b",
        r"\bshould (receive|get|have) (a|the) pump\b",
    )
)


_ANY_VERDICT = re.compile("|".join(f"(?:{p.pattern})" for p in VERDICT_PATTERNS), re.IGNORECASE)


def verdict_words(text: str) -> list[str]:
    if not _ANY_VERDICT.search(text):  # one search for the usual case (every criteria text is checked at start)
        return []
    return [m.group(0) for p in VERDICT_PATTERNS for m in [p.search(text)] if m]


def check_criteria_set(cset: CriteriaSet) -> list[Fault]:
    faults: list[Fault] = []
    faults += _duplicates(cset)
    faults += _references(cset)
    faults += _answer_spaces(cset)
    faults += _conditions(cset)
    faults += _cycles(cset)
    faults += _stages(cset)
    faults += _routine_answers(cset)
    faults += _migrations(cset)
    faults += _wording(cset)
    faults += code_faults(cset)
    return faults


def _criterion_paths(cset: CriteriaSet) -> Iterator[tuple[Path, Criterion]]:
    for si, section in enumerate(cset.sections):
        for ci, criterion in enumerate(section.criteria):
            yield ("sections", si, "criteria", ci), criterion


def _dupes(items: Iterable[tuple[Path, str]], what: str, crit: str | None = None) -> Iterator[Fault]:
    seen: dict[str, Path] = {}
    for path, value in items:
        if value in seen:
            yield path, f"duplicate {what} '{value}' (first at {'.'.join(map(str, seen[value]))})", crit
        else:
            seen[value] = path


def _duplicates(cset: CriteriaSet) -> Iterator[Fault]:
    yield from _dupes(((("sources", i, "id"), s.id) for i, s in enumerate(cset.sources)), "source id")
    yield from _dupes(((("scales", i, "id"), s.id) for i, s in enumerate(cset.scales)), "scale id")
    yield from _dupes(((("sections", i, "id"), s.id) for i, s in enumerate(cset.sections)), "section id")
    yield from _dupes(((("stages", i, "id"), s.id) for i, s in enumerate(cset.stages)), "stage id")
    yield from _dupes(((("next_steps", i, "id"), s.id) for i, s in enumerate(cset.next_steps)), "next step id")
    yield from _dupes(((("departures", i, "id"), d.id) for i, d in enumerate(cset.departures)), "departure id")
    yield from _dupes((((*path, "id"), c.id) for path, c in _criterion_paths(cset)), "criterion id")
    for i, scale in enumerate(cset.scales):
        yield from _dupes(
            ((("scales", i, "levels", j, "value"), lv.value) for j, lv in enumerate(scale.levels)), "level"
        )
    for path, c in _criterion_paths(cset):
        if isinstance(c.answer, ChoiceAnswer):
            opts = [((*path, "answer", "options", j, "value"), o.value) for j, o in enumerate(c.answer.options)]
            yield from _dupes(opts, "option value", c.id)
            for opt_path, value in opts:
                if value == UNKNOWN:
                    yield opt_path, "'unknown' is always offered; do not list it as an option", c.id


def _source_refs(refs: list[SourceRef], path: Path, cset: CriteriaSet, crit: str | None) -> Iterator[Fault]:
    for i, ref in enumerate(refs):
        if ref.source not in cset.sources_by_id:
            yield (*path, i, "source"), f"unknown source '{ref.source}' (not in the sources list)", crit


def _references(cset: CriteriaSet) -> Iterator[Fault]:
    for i, scale in enumerate(cset.scales):
        yield from _source_refs(scale.sources, ("scales", i, "sources"), cset, None)
    for path, c in _criterion_paths(cset):
        yield from _source_refs(c.sources, (*path, "sources"), cset, c.id)
    for i, step in enumerate(cset.next_steps):
        yield from _source_refs(step.sources, ("next_steps", i, "sources"), cset, None)


def _answer_spaces(cset: CriteriaSet) -> Iterator[Fault]:
    for path, c in _criterion_paths(cset):
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


def _routine_answers(cset: CriteriaSet) -> Iterator[Fault]:
    """A routine item's expected answer is one of its answers, and one that stands in the way of nothing:
    the rules read an unanswered routine item as that answer, so it must never block a stage by itself."""
    for path, c in _criterion_paths(cset):
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


def _migrations(cset: CriteriaSet) -> Iterator[Fault]:
    """One migration per earlier version, none from this one, and the step into this version names only items
    and answers this version has (earlier steps name those of their own version, which this file cannot see).
    Answers of a version from which no chain of steps leads here are refused with a message when read."""
    yield from _dupes(((("migrations", i, "from"), m.from_) for i, m in enumerate(cset.migrations)), "migration from")
    for i, migration in enumerate(cset.migrations):
        where: Path = ("migrations", i)
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


def _number_bands(answer: NumberAnswer, apath: Path, crit: str) -> Iterator[Fault]:
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


def _condition_faults(
    cond: Condition, path: Path, cset: CriteriaSet, crit: str | None, allow_present: bool
) -> Iterator[Fault]:
    for leaf_path, leaf in iter_leaves(cond):
        where = path + leaf_path
        if isinstance(leaf, Blocked):
            if not allow_present:
                yield (
                    (*where, "blocked"),
                    "'blocked' tests findings and cannot decide whether a criterion applies",
                    crit,
                )
            elif leaf.blocked not in cset.stages_by_id:
                yield (*where, "blocked"), _unknown_stage(cset, leaf.blocked), crit
            continue
        if isinstance(leaf, Present):
            if not allow_present:
                yield (
                    (*where, "present"),
                    "'present' tests findings and cannot decide whether a criterion applies",
                    crit,
                )
            continue
        yield from _answer_is_faults(leaf, where, cset, crit)


def _answer_is_faults(leaf: AnswerIs, where: Path, cset: CriteriaSet, crit: str | None) -> Iterator[Fault]:
    target = cset.criteria_by_id.get(leaf.criterion)
    if target is None:
        yield (*where, "criterion"), f"unknown criterion '{leaf.criterion}'", crit
        return
    allowed = choices(target, cset)
    if leaf.equals is not None or leaf.one_of is not None:
        key = "equals" if leaf.equals is not None else "one_of"
        values = [leaf.equals] if leaf.equals is not None else list(leaf.one_of or [])
        for i, value in enumerate(values):
            vpath = where + ((key,) if key == "equals" else (key, i))
            if value == UNKNOWN:
                continue
            if allowed is None:
                if not isinstance(value, (int, float)):
                    yield vpath, f"'{target.id}' takes a number, not '{value}'", crit
            elif value not in [v for v, _ in allowed]:
                names = ", ".join(v for v, _ in allowed)
                yield vpath, f"'{value}' is not an answer of '{target.id}' (answers: {names}, unknown)", crit
        return
    key = "at_least" if leaf.at_least is not None else "below"
    bound = leaf.at_least if leaf.at_least is not None else leaf.below
    if isinstance(target.answer, NumberAnswer):
        if not isinstance(bound, (int, float)):
            yield (*where, key), f"'{target.id}' is a number; compare it with a number", crit
    elif isinstance(target.answer, ScaleAnswer):
        if not isinstance(bound, str) or level_index(target, cset, bound) is None:
            yield (
                (*where, key),
                f"'{bound}' is not a level of the scale of '{target.id}' (quote levels such as '1+')",
                crit,
            )
    else:
        yield (*where, key), f"'{key}' needs a number or scale criterion; '{target.id}' is neither", crit


def _conditions(cset: CriteriaSet) -> Iterator[Fault]:
    for path, c in _criterion_paths(cset):
        if c.applies_when is not None:
            yield from _condition_faults(c.applies_when, (*path, "applies_when"), cset, c.id, allow_present=False)
    for i, step in enumerate(cset.next_steps):
        yield from _condition_faults(step.when, ("next_steps", i, "when"), cset, None, allow_present=True)
    for i, rule in enumerate(cset.departures):
        yield from _condition_faults(rule.when, ("departures", i, "when"), cset, None, allow_present=True)
    for i, stage in enumerate(cset.stages):
        if stage.done_when is not None:
            yield from _condition_faults(stage.done_when, ("stages", i, "done_when"), cset, None, allow_present=False)


def _unknown_stage(cset: CriteriaSet, stage: str) -> str:
    declared = ", ".join(s.id for s in cset.stages) or "none declared"
    return f"unknown stage '{stage}' (stages: {declared})"


def _stages(cset: CriteriaSet) -> Iterator[Fault]:
    """Stages are one vocabulary: every item and step names a declared one, and nothing looks ahead.

    A step or an applicability rule may test only items settled by its own stage or earlier, and a
    finding may block only its criterion's stage or a later one: so answering a later-stage item can
    never change what an earlier decision rests on.
    """
    declared = cset.stages_by_id
    for path, c in _criterion_paths(cset):
        if c.stage is None:
            if declared:
                yield path, "required key 'stage' is missing (the set declares stages)", c.id
        elif c.stage not in declared:
            yield (*path, "stage"), _unknown_stage(cset, c.stage), c.id
        for spath, spec in finding_specs(c):
            if spec.blocks_when is not None:
                yield from _blocks_when(cset, c, spec, spec.blocks_when, (*path, "answer", *spath, "blocks_when"))
            if spec.blocks is None:
                continue
            where = (*path, "answer", *spath, "blocks")
            if spec.blocks not in declared:
                yield where, _unknown_stage(cset, spec.blocks), c.id
            elif c.stage in declared and cset.stage_order(spec.blocks) < cset.stage_order(c.stage):
                yield where, f"a finding of a '{c.stage}' item cannot block the earlier stage '{spec.blocks}'", c.id
        if c.applies_when is not None and c.stage in declared:
            yield from _looks_ahead(cset, c.applies_when, (*path, "applies_when"), c.stage, c.id)
    rules = [("next_steps", i, step.stage, step.when) for i, step in enumerate(cset.next_steps)]
    rules += [("departures", i, rule.stage, rule.when) for i, rule in enumerate(cset.departures)]
    for group, i, stage, when in rules:
        path = (group, i)
        if stage is None:
            if declared:
                yield path, "required key 'stage' is missing (the set declares stages)", None
        elif stage not in declared:
            yield (*path, "stage"), _unknown_stage(cset, stage), None
        else:
            yield from _looks_ahead(cset, when, (*path, "when"), stage, None)


def _blocks_when(cset: CriteriaSet, c: Criterion, spec: FindingSpec, cond: Condition, where: Path) -> Iterator[Fault]:
    """A conditional block tests other items' answers, of its blocked stage or earlier, and blocks something."""
    stage = blocked_stage(cset, c, spec)
    if stage is None:
        yield where, f"a {spec.kind} blocks nothing unless 'blocks' names a stage, so 'blocks_when' has no effect", c.id
        return
    yield from _condition_faults(cond, where, cset, c.id, allow_present=False)
    yield from _looks_ahead(cset, cond, where, stage.id, c.id)
    for leaf_path, leaf in iter_leaves(cond):
        if isinstance(leaf, AnswerIs) and leaf.criterion == c.id:
            yield (*where, *leaf_path, "criterion"), "a finding's 'blocks_when' cannot test its own item", c.id


def _looks_ahead(cset: CriteriaSet, cond: Condition, path: Path, stage: str, crit: str | None) -> Iterator[Fault]:
    for leaf_path, leaf in iter_leaves(cond):
        if isinstance(leaf, AnswerIs):
            target = cset.criteria_by_id.get(leaf.criterion)
            if target is None or target.stage not in cset.stages_by_id:
                continue
            key = "criterion"
        elif isinstance(leaf, Blocked) and leaf.blocked in cset.stages_by_id:
            target, key = None, "blocked"
        else:
            continue
        later = target.stage if target is not None else leaf.blocked  # type: ignore[union-attr]
        if cset.stage_order(later) > cset.stage_order(stage):
            what = f"'{leaf.criterion}' is settled" if isinstance(leaf, AnswerIs) else "that stage comes"
            yield (
                (*path, *leaf_path, key),
                f"a '{stage}' rule cannot test a later stage: {what} before '{later}'",
                crit,
            )


def depends_on(criterion: Criterion) -> list[str]:
    if criterion.applies_when is None:
        return []
    return [leaf.criterion for _, leaf in iter_leaves(criterion.applies_when) if isinstance(leaf, AnswerIs)]


def _cycles(cset: CriteriaSet) -> Iterator[Fault]:
    paths = {c.id: path for path, c in _criterion_paths(cset)}
    graph = {c.id: [d for d in depends_on(c) if d in cset.criteria_by_id] for c in cset.iter_criteria()}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> Iterator[Fault]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield paths[node] + ("applies_when",), "applies_when forms a cycle: " + " -> ".join(cycle), node
            elif state.get(dep) is None:
                yield from visit(dep, stack)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            yield from visit(node, [])


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _strings(child, (*path, i))


def _wording(cset: CriteriaSet) -> Iterator[Fault]:
    data = cset.model_dump(mode="json", by_alias=True, exclude={"sources"})
    for path, text in _strings(data, ()):
        if path[-1:] in (("id",), ("value",), ("source",)):
            continue
        for word in verdict_words(text):
            crit = None
            if path[:1] == ("sections",) and len(path) >= 4:
                crit = cset.sections[int(path[1])].criteria[int(path[3])].id
            yield path, f"wording reads like a verdict ('{word}'); phrase it as a finding for clinician review", crit
