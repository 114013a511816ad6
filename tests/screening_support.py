"""Build screening worksheets by hand for the tests: a few lines per dose, every number visible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from candidacy.criteria.loader import load_criteria
from candidacy.screening.loader import load_protocol
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import Worksheet

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_FILE = ROOT / "criteria" / "screening" / "itb_screening.yaml"
EXAMPLE = ROOT / "examples" / "screening_worksheet.yaml"
START = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
NURSE = {"name": "N. Example", "role": "Ward nurse"}


def protocol() -> Protocol:
    return load_protocol(PROTOCOL_FILE, load_criteria(ROOT / "criteria" / "itb_pump.yaml"))


def legs(*scores: str | int, groups: tuple[str, ...] = ("hip_adductors", "knee_extensors")) -> dict[str, Any]:
    """Tone for the given groups, left then right for each: legs(3, 3, 2, 2)."""
    values = [str(s) for s in scores]
    return {g: {"left": values[2 * i], "right": values[2 * i + 1]} for i, g in enumerate(groups)}


def point(hour: int, dose_start: dt.datetime, **measures: Any) -> dict[str, Any]:
    at = dose_start - dt.timedelta(minutes=10) if hour == 0 else dose_start + dt.timedelta(hours=hour)
    return {"hour": hour, "at": at.isoformat(), "by": NURSE, **measures}


def dose(micrograms: int, day: int, points: dict[int, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    start = START + dt.timedelta(days=day)
    return {
        "micrograms": micrograms,
        "given_at": start.isoformat(),
        "given_by": {"name": "Dr D. Example", "role": "Registrar"},
        "observations": [point(h, start, **m) for h, m in sorted(points.items())],
        **extra,
    }


def worksheet(definition: str, doses: list[dict[str, Any]], **plan: Any) -> Worksheet:
    return Worksheet.model_validate(
        {
            "protocol": "itb_screening",
            "protocol_version": "1.0.0",
            "case": {"label": "T-1"},
            "plan": {
                "definition": definition,
                "chosen_by": {"name": "Dr A. Example", "role": "Consultant"},
                "chosen_at": (START - dt.timedelta(days=1)).isoformat(),
                **plan,
            },
            "doses": doses,
        }
    )


def full_day(baseline: dict[str, Any], peak: dict[str, Any], peak_hour: int = 4) -> dict[int, dict[str, Any]]:
    """Baseline, the peak at ``peak_hour``, and the baseline values again at every other time."""
    return {h: (peak if h == peak_hour else baseline) for h in (0, 1, 2, 4, 6, 8)}
