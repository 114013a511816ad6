"""Cross checks a schema cannot express: ids, references, value spaces, cycles and wording.

:func:`check_criteria_set` runs every check in a fixed order and returns their faults
``(path, message, criterion_id)``; the loader turns those into located problems, so that one run
reports every fault of a file at once. Ids and source references are checked here; the answers in
:mod:`.answer_checks`, the rules' conditions and stages in :mod:`.rule_checks`, the wording in
:mod:`.wording` and the codes in :mod:`.codes`.
"""

from __future__ import annotations

from collections.abc import Iterator

from candidacy.criteria.answer_checks import answer_space_faults, migration_faults, routine_answer_faults
from candidacy.criteria.codes import code_faults
from candidacy.criteria.faults import Fault, criterion_paths, duplicates_of
from candidacy.criteria.located import PathKey
from candidacy.criteria.models import UNKNOWN, ChoiceAnswer, CriteriaSet, SourceRef
from candidacy.criteria.rule_checks import cycle_faults, rule_condition_faults, stage_faults
from candidacy.criteria.wording import wording_faults

__all__ = ["check_criteria_set"]


def check_criteria_set(cset: CriteriaSet) -> list[Fault]:
    faults: list[Fault] = []
    faults += _duplicates(cset)
    faults += _references(cset)
    faults += answer_space_faults(cset)
    faults += rule_condition_faults(cset)
    faults += cycle_faults(cset)
    faults += stage_faults(cset)
    faults += routine_answer_faults(cset)
    faults += migration_faults(cset)
    faults += wording_faults(cset)
    faults += code_faults(cset)
    return faults


def _duplicates(cset: CriteriaSet) -> Iterator[Fault]:
    yield from duplicates_of(((("sources", i, "id"), s.id) for i, s in enumerate(cset.sources)), "source id")
    yield from duplicates_of(((("scales", i, "id"), s.id) for i, s in enumerate(cset.scales)), "scale id")
    yield from duplicates_of(((("sections", i, "id"), s.id) for i, s in enumerate(cset.sections)), "section id")
    yield from duplicates_of(((("stages", i, "id"), s.id) for i, s in enumerate(cset.stages)), "stage id")
    yield from duplicates_of(((("next_steps", i, "id"), s.id) for i, s in enumerate(cset.next_steps)), "next step id")
    yield from duplicates_of(((("departures", i, "id"), d.id) for i, d in enumerate(cset.departures)), "departure id")
    yield from duplicates_of((((*path, "id"), c.id) for path, c in criterion_paths(cset)), "criterion id")
    for i, scale in enumerate(cset.scales):
        yield from duplicates_of(
            ((("scales", i, "levels", j, "value"), lv.value) for j, lv in enumerate(scale.levels)), "level"
        )
    for path, c in criterion_paths(cset):
        if isinstance(c.answer, ChoiceAnswer):
            opts = [((*path, "answer", "options", j, "value"), o.value) for j, o in enumerate(c.answer.options)]
            yield from duplicates_of(opts, "option value", c.id)
            for opt_path, value in opts:
                if value == UNKNOWN:
                    yield opt_path, "'unknown' is always offered; do not list it as an option", c.id


def _source_refs(refs: list[SourceRef], path: PathKey, cset: CriteriaSet, crit: str | None) -> Iterator[Fault]:
    for i, ref in enumerate(refs):
        if ref.source not in cset.sources_by_id:
            yield (*path, i, "source"), f"unknown source '{ref.source}' (not in the sources list)", crit


def _references(cset: CriteriaSet) -> Iterator[Fault]:
    for i, scale in enumerate(cset.scales):
        yield from _source_refs(scale.sources, ("scales", i, "sources"), cset, None)
    for path, c in criterion_paths(cset):
        yield from _source_refs(c.sources, (*path, "sources"), cset, c.id)
    for i, step in enumerate(cset.next_steps):
        yield from _source_refs(step.sources, ("next_steps", i, "sources"), cset, None)
