"""Engine benchmark: load + validate, and evaluate with decisive unknowns, for the ITB set and a set 10x larger
(its items and its next steps copied ten times).

Prints figures; it is not a timed test. Targets: load + validate under 50 ms; evaluate (which works out
the decisive unknowns of every stage) median under 5 ms for the ITB set. The two sets are measured
interleaved (A B A B ...) on the same answer profiles so that machine load hits both alike, and the
growth is reported as the ratio of medians. Times are the evaluating thread's CPU time
(``time.thread_time``), so that other work on a shared machine does not inflate them. Profiles:
random valid answers (10% unanswered, 10% unknown); referral-like answers (half the items open, as
a letter leaves them); and nothing answered yet (the worst case for decisive unknowns).
Run: .venv/bin/python bench/engine.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
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
RUNS = 2_000


def _renamed(part: dict[str, Any], ids: list[str], k: int) -> dict[str, Any]:
    """A section or a next step whose own id and every criterion it names carry the suffix ``_k``."""
    text = yaml.safe_dump(part, sort_keys=False, allow_unicode=True)
    for ident in sorted(ids, key=len, reverse=True):
        text = text.replace(f"id: {ident}\n", f"id: {ident}_{k}\n")
        text = text.replace(f"criterion: {ident}\n", f"criterion: {ident}_{k}\n")
        text = text.replace(f"criterion: {ident}}}", f"criterion: {ident}_{k}}}")
        text = text.replace(f"criterion: {ident},", f"criterion: {ident}_{k},")
    copy: dict[str, Any] = yaml.safe_load(text)
    copy["id"] = f"{part['id']}_{k}"
    return copy


def scaled_text(factor: int) -> str:
    """The ITB set with every section and every next step repeated ``factor`` times under renamed ids
    (the criteria their conditions name renamed too), so that the decisive search meets ``factor`` times
    the steps as well as the items."""
    data = read_file(ITB).data  # the project's reader keeps 'yes'/'no' keys as text
    ids = [c["id"] for s in data["sections"] for c in s["criteria"]]
    data["sections"] = [_renamed(section, ids, k) for k in range(factor) for section in data["sections"]]
    data["next_steps"] = [_renamed(step, ids, k) for k in range(factor) for step in data["next_steps"]]
    data.pop("migrations", None)  # they name the items of the set as released; the bench measures evaluation
    for stage in data.get("stages", []):  # the stage rule tests the first copy's items
        if "done_when" in stage:
            stage["done_when"]["criterion"] = f"{stage['done_when']['criterion']}_0"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def random_answers(cset: CriteriaSet, rng: random.Random, open_share: float = 0.2) -> dict[str, tuple[Any, str]]:
    """Valid answers with ``open_share`` of the items left open (half unanswered, half unknown)."""
    answers: dict[str, tuple[Any, str]] = {}
    for crit_id, criterion in cset.criteria_by_id.items():
        roll = rng.random()
        if roll < open_share / 2:
            continue
        if roll < open_share:
            answers[crit_id] = (UNKNOWN, "")
            continue
        options = choices(criterion, cset)
        if options is None:
            assert isinstance(criterion.answer, NumberAnswer)
            answers[crit_id] = (float(rng.randint(int(criterion.answer.min), int(criterion.answer.max))), "")
        else:
            answers[crit_id] = (rng.choice(options)[0], "")
    return answers


def load_ms(load: Callable[[], CriteriaSet]) -> float:
    times = []
    for _ in range(20):
        start = time.thread_time()
        load()
        times.append(time.thread_time() - start)
    return statistics.median(times) * 1e3


def interleaved(sets: list[CriteriaSet], open_share: float, runs: int) -> list[list[float]]:
    """Evaluate times per set, alternating sets on every run; each set gets its own answers of the same profile."""
    rngs = [random.Random(42) for _ in sets]
    times: list[list[float]] = [[] for _ in sets]
    decisive: list[list[int]] = [[] for _ in sets]
    for _ in range(runs):
        for i, cset in enumerate(sets):
            answers = random_answers(cset, rngs[i], open_share)
            start = time.thread_time()  # CPU time of this thread: other processes on the machine do not count
            result = evaluate(cset, answers)
            times[i].append(time.thread_time() - start)
            decisive[i].append(len(result.decisive_unknowns))
    for i in range(len(sets)):
        times[i].append(statistics.mean(decisive[i]))  # carried along for the report (last element)
    return times


def main() -> None:
    print(f"python {sys.version.split()[0]}; evaluate = findings + steps by stage + decisive unknowns")
    itb = load_criteria(ITB)
    big_text = scaled_text(10)
    big = load_criteria_text(big_text, "itb_x10.yaml")
    assert len(big.next_steps) == 10 * len(itb.next_steps), "the x10 set must copy the steps too"
    print(
        f"load+validate median: ITB set {load_ms(lambda: load_criteria(ITB)):.2f} ms; "
        f"x10 set {load_ms(lambda: load_criteria_text(big_text, 'itb_x10.yaml')):.2f} ms"
    )
    profiles = (
        ("random answers, 20% open", 0.2, RUNS),
        ("referral-like, 50% open", 0.5, RUNS // 5),
        ("nothing answered", 1.0, RUNS // 20),
    )
    for label, share, runs in profiles:
        small_times, big_times = interleaved([itb, big], share, runs)
        small_decisive, big_decisive = small_times.pop(), big_times.pop()
        small_ms, big_ms = statistics.median(small_times) * 1e3, statistics.median(big_times) * 1e3
        small_p95 = statistics.quantiles(small_times, n=20)[18] * 1e3
        big_p95 = statistics.quantiles(big_times, n=20)[18] * 1e3
        print(
            f"{label:<26} ITB ({len(itb.criteria_by_id)} items): median {small_ms:6.3f} ms p95 {small_p95:6.3f} ms"
            f" decisive/case {small_decisive:4.1f} | x10 ({len(big.criteria_by_id)} items): median {big_ms:7.3f} ms"
            f" p95 {big_p95:7.3f} ms decisive/case {big_decisive:5.1f} | growth x{big_ms / small_ms:.1f}"
            f" (steps {len(itb.next_steps)} -> {len(big.next_steps)})"
        )


if __name__ == "__main__":
    main()
