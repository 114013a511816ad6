"""What changed between two versions of a criteria set: criteria added, removed or changed.

Used when a stored case was assessed against criteria that have since changed, and by
``python -m candidacy diff OLD NEW``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from candidacy.criteria.models import CriteriaSet

__all__ = ["CriteriaDiff", "diff_criteria"]


@dataclass(frozen=True)
class CriteriaDiff:
    old_version: str
    new_version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.other)

    def lines(self) -> list[str]:
        out = [f"criteria version {self.old_version} -> {self.new_version}"]
        out += [f"added: {c}" for c in self.added]
        out += [f"removed: {c}" for c in self.removed]
        out += [f"changed: {c} ({', '.join(fields)})" for c, fields in self.changed.items()]
        out += [f"changed: {what}" for what in self.other]
        return out


def _criteria(cset: CriteriaSet) -> dict[str, dict[str, Any]]:
    return {c.id: c.model_dump(mode="json", by_alias=True) for c in cset.iter_criteria()}


def diff_criteria(old: CriteriaSet, new: CriteriaSet) -> CriteriaDiff:
    before, after = _criteria(old), _criteria(new)
    changed = {
        cid: sorted(k for k in set(before[cid]) | set(after[cid]) if before[cid].get(k) != after[cid].get(k))
        for cid in before
        if cid in after and before[cid] != after[cid]
    }
    other = [
        name
        for name in ("title", "notice", "sources", "stages", "scales", "next_steps")
        if old.model_dump(mode="json", by_alias=True)[name] != new.model_dump(mode="json", by_alias=True)[name]
    ]
    return CriteriaDiff(
        old_version=old.version,
        new_version=new.version,
        added=[c for c in after if c not in before],
        removed=[c for c in before if c not in after],
        changed=changed,
        other=other,
    )
