"""Report benchmark: time per format for the golden cases (median per case). Target: PDF under 200 ms.

Prints figures; not a timed test. Run: .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import json  # noqa: E402

from candidacy import load_criteria  # noqa: E402
from candidacy.fhir import answers_from_response, questionnaire_response  # noqa: E402
from candidacy.reports import RENDERERS  # noqa: E402
from candidacy.reports.record import build_record  # noqa: E402
from tests.golden import GOLDEN  # noqa: E402

REPEAT = 3


def main() -> None:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    answer_sets = [answer_set for _, answer_set in GOLDEN]
    timings: dict[str, list[float]] = {"record": [], "fhir-R5": [], "fhir-import": []}
    for answer_set in answer_sets:
        start = time.perf_counter()
        record = build_record(cset, answer_set)
        timings["record"].append(time.perf_counter() - start)
        for name, renderer in RENDERERS.items():
            runs = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                renderer.render(record)
                runs.append(time.perf_counter() - start)
            timings.setdefault(name, []).append(min(runs))
        start = time.perf_counter()
        response = questionnaire_response(cset, answer_set, "R5")
        timings["fhir-R5"].append(time.perf_counter() - start)
        raw = json.dumps(response).encode()
        start = time.perf_counter()
        answers_from_response(cset, raw, "bench.json")
        timings["fhir-import"].append(time.perf_counter() - start)
    print(f"{len(answer_sets)} golden cases; median over cases (best of {REPEAT} per case for the renderers)")
    for name, values in timings.items():
        print(f"  {name:<11} median {statistics.median(values) * 1e3:8.1f} ms   max {max(values) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
