"""What the prefill tests share: the criteria set, its prefill rules, the referral-like record and a
way to reach one of its resources by id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from candidacy.criteria.loader import load_criteria
from candidacy.fhir.prefill_rules import load_rules, rules_path

__all__ = ["CRITERIA", "CSET", "RECORDS", "RULES", "TBI", "Edit", "resource"]

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ROOT / "criteria" / "itb_pump.yaml"
RECORDS = ROOT / "tests" / "data" / "fhir_records"
TBI = RECORDS / "referral-tbi-everything.json"
CSET = load_criteria(CRITERIA)
RULES = load_rules(rules_path(CRITERIA), CSET)
#: A change made to a record's JSON before it is read.
Edit = Callable[[dict[str, Any]], None]


def resource(data: dict[str, Any], ident: str) -> dict[str, Any]:
    """The resource of a Bundle's entries with id ``ident``."""
    found: dict[str, Any] = next(e["resource"] for e in data["entry"] if e["resource"]["id"] == ident)
    return found
