"""Engine benchmark: load + validate time and evaluate time, for the ITB set and a set 10x larger.

Prints figures; it is not a timed test. Targets: load + validate under 50 ms; evaluate under 0.5 ms.
Run: .venv/bin/python bench/engine.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from candidacy import CriteriaSet, evaluate, load_criteria, load_criteria_text  # noqa: E402
from candidacy.criteria.models import UNKNOWN, NumberAnswer  # noqa: E402
from candidacy.criteria.values import choices  # noqa: E402
from candidacy.criteria.yamlsource import read_file  # noqa: E402

ITB = ROOT / "criteria" / "itb_pump.yaml"
RUNS = 10_000


def scaled_text(factor: int) -> str:
    """The ITB set with every section repeated ``factor`` times under renamed ids (conditions renamed too)."""
    data = read_file(ITB).data  # the project's reader keeps 'yes'/'no' keys as text
    ids = [c["id"] for s in data["sections"] for c in s["criteria"]]
    sections = []
    for k in range(factor):
        for section in data["sections"]:
            text = yaml.safe_dump(section, sort_keys=False, allow_unicode=True)
            for ident in sorted(ids, key=len, reverse=True):
                text = text.replace(f"id: {ident}\n", f"id: {ident}_{k}\n").replace(
                    f"criterion: {ident}\n", f"criterion: {ident}_{k}\n"
                )
            copy = yaml.safe_load(text)
            copy["id"] = f"{section['id']}_{k}"
            sections.append(copy)
    data["sections"] = sections
    data["next_steps"] = [s for s in data["next_steps"] if "criterion" not in yaml.safe_dump(s["when"])]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def random_answers(cset: CriteriaSet, rng: random.Random) -> dict[str, tuple[Any, str]]:
    answers: dict[str, tuple[Any, str]] = {}
    for crit_id, criterion in cset.criteria_by_id.items():
        roll = rng.random()
        if roll < 0.1:
            continue
        if roll < 0.2:
            answers[crit_id] = (UNKNOWN, "")
            continue
        options = choices(criterion, cset)
        if options is None:
            assert isinstance(criterion.answer, NumberAnswer)
            answers[crit_id] = (float(rng.randint(int(criterion.answer.min), int(criterion.answer.max))), "")
        else:
            answers[crit_id] = (rng.choice(options)[0], "")
    return answers


def measure(label: str, load: Any) -> None:
    load_times = []
    for _ in range(20):
        start = time.perf_counter()
        cset = load()
        load_times.append(time.perf_counter() - start)
    rng = random.Random(42)
    samples = [random_answers(cset, rng) for _ in range(RUNS)]
    eval_times = []
    for answers in samples:
        start = time.perf_counter()
        evaluate(cset, answers)
        eval_times.append(time.perf_counter() - start)
    load_ms = statistics.median(load_times) * 1e3
    eval_ms = statistics.median(eval_times) * 1e3
    p95_ms = statistics.quantiles(eval_times, n=20)[18] * 1e3
    print(
        f"{label:<24} criteria={len(cset.criteria_by_id):>4}  load+validate median={load_ms:7.2f} ms"
        f"  evaluate median={eval_ms:7.3f} ms  p95={p95_ms:7.3f} ms"
    )


def main() -> None:
    print(f"python {sys.version.split()[0]}; evaluate over {RUNS} random valid answer sets")
    measure("ITB set", lambda: load_criteria(ITB))
    big = scaled_text(10)
    measure("ITB set x10 (generated)", lambda: load_criteria_text(big, "itb_x10.yaml"))


if __name__ == "__main__":
    main()
