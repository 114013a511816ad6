"""Cross checks of a screening-test protocol that its models alone cannot express.

Each id is used once; every source reference names a listed source; the doses and observation
times rise, and each definition's window holds the readings it asks for; a migration comes from an
earlier version; every outcome is mapped, once.
Each fault is ``(where, message)``; the loader (:mod:`candidacy.screening.loader`) turns them into
problems naming the file, line and field, all of them at once.
"""

from __future__ import annotations

from candidacy.criteria.located import PathKey
from candidacy.screening.protocol import OUTCOMES, MeanToneDrop, Protocol, ReadWhen, ToneOrSpasmDrop

__all__ = ["protocol_faults"]


def _duplicates(ids: list[str], path: PathKey, what: str) -> list[tuple[PathKey, str]]:
    faults: list[tuple[PathKey, str]] = []
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            faults.append(((*path, index, "id"), f"{what} id '{ident}' is used twice"))
        seen.add(ident)
    return faults


def protocol_faults(protocol: Protocol) -> list[tuple[PathKey, str]]:
    """Cross checks over the whole protocol; each fault is (where, message)."""
    faults: list[tuple[PathKey, str]] = []
    known = {s.id for s in protocol.sources}
    faults += _duplicates([s.id for s in protocol.sources], ("sources",), "source")
    for path, ref in protocol.source_refs():
        if ref.source not in known:
            faults.append(((*path, "source"), f"unknown source '{ref.source}' (not in the protocol's sources)"))
    doses = [d.micrograms for d in protocol.dosing.sequence]
    if doses != sorted(set(doses)):
        faults.append((("dosing", "sequence"), "doses must rise strictly from one step to the next"))
    if protocol.dosing.low_start.micrograms >= doses[0]:
        faults.append((("dosing", "low_start", "micrograms"), "the low first dose must be below the first dose"))
    faults += _duplicates(
        [r.id for r in protocol.dosing.low_start.considered_for], ("dosing", "low_start", "considered_for"), "reason"
    )
    times = protocol.observation.times_hours
    if times[0] != 0 or times != sorted(set(times)):
        faults.append((("observation", "times_hours"), "times must start at 0 (baseline) and rise strictly"))
    for name, levels in (("tone", protocol.tone.levels), ("spasms", protocol.spasms.levels)):
        values = [level.value for level in levels]
        if len(set(values)) != len(values):
            faults.append(((name, "levels"), "level values must be distinct"))
    faults += _duplicates([g.id for g in protocol.tone.muscle_groups], ("tone", "muscle_groups"), "muscle group")
    faults += _duplicates([f.id for f in protocol.function.items], ("function", "items"), "function")
    faults += _duplicates([v.id for v in protocol.vital_signs.items], ("vital_signs", "items"), "vital sign")
    faults += _duplicates([a.id for a in protocol.adverse_events.items], ("adverse_events", "items"), "adverse event")
    faults += _duplicates([d.id for d in protocol.definitions], ("definitions",), "definition")
    walk = protocol.function.timed_walk
    if walk.min >= walk.max:
        faults.append((("function", "timed_walk"), "min must be below max"))
    for index, vital in enumerate(protocol.vital_signs.items):
        if vital.min >= vital.max:
            faults.append((("vital_signs", "items", index), "min must be below max"))
    for index, definition in enumerate(protocol.definitions):
        rule = definition.rule
        if isinstance(rule, (MeanToneDrop, ToneOrSpasmDrop)):
            if rule.from_hour < 1 or rule.from_hour > rule.to_hour:
                faults.append(
                    (
                        ("definitions", index, "rule"),
                        "the window must start after baseline and not end before it starts",
                    )
                )
            elif not any(rule.from_hour <= t <= rule.to_hour for t in times):
                faults.append((("definitions", index, "rule"), "no observation time falls inside the window"))
            elif definition.read_when is None:
                faults.append((("definitions", index), "a rule with a window needs read_when"))
            else:
                faults += _read_when_faults(rule, definition.read_when, times, ("definitions", index, "read_when"))
    for index, migration in enumerate(protocol.migrations):
        if migration.from_version == protocol.version:
            faults.append((("migrations", index, "from"), "a migration comes from an earlier version, not this one"))
    ids = [o.id for o in protocol.outcomes]
    for missing in sorted(set(OUTCOMES) - set(ids)):
        faults.append((("outcomes",), f"outcome '{missing}' needs a mapping onto an answer"))
    if len(set(ids)) != len(ids):
        faults.append((("outcomes",), "each outcome is mapped once"))
    return faults


def _read_when_faults(
    rule: MeanToneDrop | ToneOrSpasmDrop, need: ReadWhen, times: list[int], path: PathKey
) -> list[tuple[PathKey, str]]:
    """The reading condition must be reachable with the protocol's own observation times."""
    inside = [t for t in times if rule.from_hour <= t <= rule.to_hour]
    if need.observations > len(inside):
        return [((*path, "observations"), f"the window has only {len(inside)} observation times")]
    if not any(t >= need.reaching_hour for t in inside):
        return [((*path, "reaching_hour"), f"no observation time inside the window reaches {need.reaching_hour} h")]
    return []
