"""The criteria sets of a folder, loaded once: valid sets by id, and the problems of invalid files.

An invalid file does not hide the valid ones; the UI shows its problems instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from candidacy.criteria.loader import criteria_files, load_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, Problem

__all__ = ["DEFAULT_SET", "Catalogue", "load_catalogue"]

DEFAULT_SET = "itb_pump"


@dataclass(frozen=True)
class Catalogue:
    sets: dict[str, CriteriaSet] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def default_id(self) -> str | None:
        if DEFAULT_SET in self.sets:
            return DEFAULT_SET
        return next(iter(self.sets), None)


def load_catalogue(folder: Path | str) -> Catalogue:
    folder = Path(folder)
    sets: dict[str, CriteriaSet] = {}
    problems: dict[str, list[Problem]] = {}
    if not folder.is_dir():
        return Catalogue(problems={str(folder): [Problem("criteria folder not found", file=str(folder))]})
    for path in criteria_files(folder):
        try:
            cset = load_criteria(path)
        except CandidacyError as error:
            problems[str(path)] = error.problems
            continue
        if cset.id in sets:
            problems[str(path)] = [Problem(f"criteria set id '{cset.id}' is used by another file", file=str(path))]
            continue
        sets[cset.id] = cset
    return Catalogue(sets=sets, problems=problems)
