"""The result of a worksheet as text and as JSON: what the command line prints and tests read."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from candidacy.screening.protocol import Protocol
from candidacy.screening.result import ScreeningResult, compute_result
from candidacy.screening.worksheet import Worksheet

__all__ = ["result_data", "result_json", "result_text"]


def result_text(protocol: Protocol, ws: Worksheet, result: ScreeningResult | None = None) -> str:
    result = result or compute_result(protocol, ws)
    lines = [
        f"Screening worksheet, case {ws.case.label or '(no label)'}: {protocol.title} "
        f"({protocol.id} {protocol.version})",
        protocol.notice.strip(),
        "",
        result.definition_sentence,
    ]
    lines += [f"Changed after the test started: {a}" for a in result.amendments]
    for dose in result.doses:
        lines += ["", f"Dose {dose.number}: {dose.micrograms} micrograms ({dose.status_label})", f"  {dose.sentence}"]
        lines += [f"    {label}: {value}" for label, value in dose.numbers]
        if dose.function_lost:
            lines.append("  Function lost (shown on its own, never offset by tone):")
            lines += [f"    {loss.sentence()}" for loss in dose.function_lost]
        lines += [f"  Adverse event: {event}" for event in dose.adverse_events]
        lines += [f"  Deviation: {deviation}" for deviation in dose.deviations]
        lines += [f"  Correction: {correction}" for correction in dose.corrections]
    lines += ["", f"Computed outcome, for the team to confirm: {result.computed_label}. {result.outcome_sentence}"]
    if result.confirmed:
        lines.append(result.confirmed)
    lines.append(f"Next step: {result.next_step}")
    return "\n".join(lines) + "\n"


def result_data(protocol: Protocol, ws: Worksheet, result: ScreeningResult | None = None) -> dict[str, Any]:
    result = result or compute_result(protocol, ws)
    return {
        "protocol": {"id": protocol.id, "version": protocol.version, "sha256": protocol.sha256},
        "case": ws.case.model_dump(mode="json"),
        "definition": result.definition.id if result.definition else None,
        "definition_sentence": result.definition_sentence,
        "amendments": result.amendments,
        "doses": [
            {
                **{k: v for k, v in dataclasses.asdict(d).items() if k not in ("given_at", "numbers", "function_lost")},
                "given_at": d.given_at.isoformat() if d.given_at else None,
                "numbers": [{"label": label, "value": value} for label, value in d.numbers],
                "function_lost": [dataclasses.asdict(loss) for loss in d.function_lost],
            }
            for d in result.doses
        ],
        "computed": result.computed,
        "computed_label": result.computed_label,
        "outcome_sentence": result.outcome_sentence,
        "answer": {"item": protocol.answer_item, "value": protocol.outcome(result.computed).answer},
        "confirmed": result.confirmed,
        "next_step": result.next_step,
    }


def result_json(protocol: Protocol, ws: Worksheet, result: ScreeningResult | None = None) -> str:
    return json.dumps(result_data(protocol, ws, result), ensure_ascii=False, indent=2) + "\n"
