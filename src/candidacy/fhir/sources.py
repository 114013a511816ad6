"""What a rule reads from a resource: its codes, its date, its status, and the words a note quotes.

R4/R4B and R5 place some of these differently (a medication's code, an allergy's type); the entry's
release, set by the models that accepted it, says where to look. A medication given by reference is
looked up in the record (or among the resource's contained resources).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from candidacy.criteria.codes import SYSTEMS
from candidacy.fhir.prefill_rules import MatchCode
from candidacy.fhir.record import Entry, Record, fhir_date
from candidacy.text import printable

__all__ = [
    "UNCONFIRMED",
    "Source",
    "allergy_type",
    "clinical_status",
    "codings",
    "entry_date",
    "matching",
    "quoted",
    "reason_text",
    "refuted",
    "status",
    "verification_status",
    "verified",
]

#: The fields a resource's date is read from, most telling first.
_DATES: dict[str, tuple[str, ...]] = {
    "AllergyIntolerance": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
    "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
    "Procedure": ("performedDateTime", "performedPeriod.end", "performedPeriod.start", "occurrenceDateTime"),
    "Observation": ("effectiveDateTime", "effectivePeriod.end", "effectivePeriod.start", "issued"),
    # A period not ended runs to when the record last said so (dateAsserted), not to its start.
    "MedicationStatement": ("effectivePeriod.end", "effectiveDateTime", "dateAsserted", "effectivePeriod.start"),
    "MedicationRequest": ("authoredOn",),
}


@dataclass(frozen=True)
class Source:
    """One resource a proposal came from: what a note and a reader need to find it again."""

    resource: str
    id: str
    date: str | None
    system: str
    code: str
    display: str
    detail: str = ""

    def line(self) -> str:
        """``AllergyIntolerance/abc (2025-03-01), SNOMED 387342009 Baclofen``: short and stable."""
        when = f" ({self.date})" if self.date else ""
        coded = f"{SYSTEMS[self.system].short} {self.code} " if self.system in SYSTEMS else ""
        detail = f", {self.detail}" if self.detail else ""
        return f"{self.resource}/{self.id}{when}, {coded}{self.display}{detail}"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "resource": self.resource,
            "id": self.id,
            "date": self.date,
            "system": self.system,
            "code": self.code,
            "display": self.display,
            "detail": self.detail,
        }


#: The most characters of a record's words (a display, a reason) a provenance line quotes.
QUOTE_LIMIT = 80


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A record's words as a provenance line quotes them: on one line, control and direction-changing
    characters written as visible escapes (they would turn a note, a PDF or a terminal line around),
    and at most ``limit`` characters, so that a line stays short whatever the record holds."""
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _concept_codings(concept: Any) -> list[dict[str, Any]]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [c for c in codings or [] if isinstance(c, dict)]


def codings(entry: Entry, record: Record) -> list[dict[str, Any]]:
    """The codings that say what the resource is about (its code, substance or medication)."""
    data = entry.data
    if entry.type in ("MedicationStatement", "MedicationRequest"):
        concept = data.get("medicationCodeableConcept")
        reference = data.get("medicationReference")
        medication = data.get("medication")  # R5: a CodeableReference
        if isinstance(medication, dict):
            concept, reference = medication.get("concept"), medication.get("reference")
        if concept is None and isinstance(reference, dict):
            concept = _medication_code(str(reference.get("reference", "")), data, record)
        return _concept_codings(concept)
    found = _concept_codings(data.get("code"))
    if entry.type == "AllergyIntolerance":
        for reaction in data.get("reaction") or []:
            if isinstance(reaction, dict):
                found += _concept_codings(reaction.get("substance"))
    return found


def _medication_code(ref: str, data: dict[str, Any], record: Record) -> Any:
    if ref.startswith("#"):
        for contained in data.get("contained") or []:
            if isinstance(contained, dict) and contained.get("id") == ref[1:]:
                return contained.get("code")
        return None
    medication = record.resolve(ref)
    return medication.data.get("code") if medication and medication.type == "Medication" else None


def matching(entry: Entry, record: Record, codes: list[MatchCode]) -> tuple[dict[str, Any], MatchCode] | None:
    """The resource's first coding that is one of ``codes``, with the rule's code; None when none is."""
    wanted = {(c.system, c.code): c for c in codes}
    for coding in codings(entry, record):
        found = wanted.get((str(coding.get("system")), str(coding.get("code"))))
        if found is not None:
            return coding, found
    return None


def entry_date(entry: Entry) -> tuple[dt.date | None, str | None]:
    """The date that places the resource in time, as a date and as the record wrote it."""
    for field in _DATES.get(entry.type, ()):
        text = _get(entry.data, field)
        when = fhir_date(text)
        if when is not None:
            return when, str(text)[:10]
    return None, None


def allergy_type(entry: Entry) -> str | None:
    """AllergyIntolerance.type: a code in R4/R4B, a CodeableConcept in R5."""
    kind = entry.data.get("type")
    if isinstance(kind, dict):
        codes = _concept_codings(kind)
        return str(codes[0].get("code")) if codes else None
    return kind if isinstance(kind, str) else None


def clinical_status(entry: Entry) -> str | None:
    codes = _concept_codings(entry.data.get("clinicalStatus"))
    return str(codes[0].get("code")) if codes else None


#: Statuses that say the resource did not happen: a procedure not done, a drug not taken, an order or
#: a measurement cancelled, an entry made by mistake.
_NOT_SO = ("entered-in-error", "not-done", "not-taken", "cancelled")
#: Verification statuses short of confirmed (R5 adds presumed); a rule reads them only when it names them.
UNCONFIRMED = ("unconfirmed", "provisional", "differential", "presumed")


def refuted(entry: Entry) -> bool:
    """Recorded by mistake, shown not to be so, or said not to have happened: never a source."""
    codes = _concept_codings(entry.data.get("verificationStatus"))
    return entry.data.get("status") in _NOT_SO or any(c.get("code") in ("refuted", "entered-in-error") for c in codes)


def verification_status(entry: Entry) -> str | None:
    codes = _concept_codings(entry.data.get("verificationStatus"))
    return str(codes[0].get("code")) if codes else None


def verified(entry: Entry, wanted: list[str]) -> bool:
    """Whether the resource's verification status is one a rule reads: those it names, or (naming none)
    any that is not short of confirmed, so a provisional diagnosis never passes for a confirmed one."""
    found = verification_status(entry)
    return found in wanted if wanted else found not in UNCONFIRMED


def status(entry: Entry) -> str | None:
    value = entry.data.get("status")
    return value if isinstance(value, str) else None


def reason_text(entry: Entry) -> str:
    """Why a medication stopped, as the record words it (statusReason, or R5's reason), or ''."""
    reasons = entry.data.get("statusReason") or entry.data.get("reason") or []
    reasons = reasons if isinstance(reasons, list) else [reasons]
    words = []
    for reason in reasons:
        concept = reason.get("concept", reason) if isinstance(reason, dict) else None
        if not isinstance(concept, dict):
            continue
        codes = _concept_codings(concept)
        text = concept.get("text") or (codes[0].get("display") if codes else None)
        if isinstance(text, str) and text:
            words.append(text)
    return quoted("; ".join(words))
