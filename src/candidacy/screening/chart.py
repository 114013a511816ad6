"""What the chart of a dose shows, as plain data: the app draws it with Streamlit, the PDF with fpdf2.

Tone (mean Modified Ashworth per limb), spasms (Penn) and function (levels counted from the worst,
so a line that falls means function lost) share one 0-4 axis against hours after the dose. The
table beside the chart gives the same numbers for those who prefer them.
"""

from __future__ import annotations

from dataclasses import dataclass

from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import DoseEntry, TimePoint

__all__ = ["ChartPoint", "chart_points", "series_names", "table"]


@dataclass(frozen=True)
class ChartPoint:
    hour: int
    series: str
    value: float


def _mean(protocol: Protocol, point: TimePoint, limb: str) -> float | None:
    scores = [
        protocol.tone_score(value)
        for group, sides in point.tone.items()
        if protocol.muscle_group(group).limb == limb
        for value in sides.values()
    ]
    return sum(scores) / len(scores) if scores else None


def _function_score(protocol: Protocol, item_id: str, value: str) -> float:
    levels = [level.value for level in protocol.function_item(item_id).levels]
    return float(len(levels) - 1 - levels.index(value))


def series_names(protocol: Protocol) -> list[str]:
    """Every series a chart may show, in a fixed order (so colours stay the same across doses)."""
    names = ["Tone, legs (mean Ashworth)", "Tone, arms (mean Ashworth)", "Spasms (Penn)"]
    return names + [f"{item.label} (higher is better)" for item in protocol.function.items]


def chart_points(protocol: Protocol, dose: DoseEntry) -> list[ChartPoint]:
    names = series_names(protocol)
    points: list[ChartPoint] = []
    for point in dose.observations:
        for limb, name in (("lower", names[0]), ("upper", names[1])):
            mean = _mean(protocol, point, limb)
            if mean is not None:
                points.append(ChartPoint(point.hour, name, round(mean, 3)))
        if point.spasms is not None:
            points.append(ChartPoint(point.hour, names[2], protocol.spasm_score(point.spasms)))
        for index, item in enumerate(protocol.function.items):
            value = point.function.get(item.id)
            if value is not None:
                points.append(ChartPoint(point.hour, names[3 + index], _function_score(protocol, item.id, value)))
    return points


def table(protocol: Protocol, dose: DoseEntry) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers as a table: one row per time point, with who measured and when."""
    arms = any(_mean(protocol, p, "upper") is not None for p in dose.observations)
    header = ["Hour", "Time", "Legs", *(["Arms"] if arms else []), "Spasms"]
    items = [item for item in protocol.function.items if any(item.id in p.function for p in dose.observations)]
    header += [item.label for item in items]
    walked = any(p.walk_seconds is not None for p in dose.observations)
    if walked:
        header.append("Walk (s)")
    header.append("By")
    rows = []
    for point in dose.observations:
        legs, arm = _mean(protocol, point, "lower"), _mean(protocol, point, "upper")
        row = [f"{point.hour} h", f"{point.at:%H:%M}", "" if legs is None else f"{legs:.2f}"]
        if arms:
            row.append("" if arm is None else f"{arm:.2f}")
        row.append(point.spasms or "")
        row += [(point.function.get(item.id) or "").replace("_", " ") for item in items]
        if walked:
            row.append("" if point.walk_seconds is None else f"{point.walk_seconds:g}")
        row.append(point.by.name)
        rows.append(row)
    return header, rows
