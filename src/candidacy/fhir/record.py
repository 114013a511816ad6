"""A patient's record as FHIR: read, checked, and refused as a whole when anything in it is wrong.

Accepted: a Bundle (``collection``, ``searchset`` as ``Patient/$everything`` returns it, or
``document``) or Bulk Data NDJSON files (one resource a line), in R4, R4B or R5 JSON. Each file goes
through the project's one reading path (size cap, UTF-8, nesting depth, control characters), and each
resource through ``fhir.resources``: first as R4B (whose models also read R4 JSON of the resource
types used here, which R4B left unchanged), then as R5. The record must hold exactly one Patient, and
every resource that names a patient must name that one. Refused, naming the file, line and resource:
no Patient or several; a Patient without the identifier the case names; a resource about another
patient (its subject a contained Patient, a Group, a name alone, or a reference that does not resolve
to the record's Patient through its id, a versioned or absolute URL, or the Bundle's ``urn:uuid:``
fullUrl); a resource the FHIR models reject; a date after today; too many files or resources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fhir.resources import get_fhir_model_class as r5_model
from fhir.resources.R4B import get_fhir_model_class as r4b_model
from pydantic import ValidationError

from candidacy import clock
from candidacy.criteria.yamlsource import parse_bytes, parse_text
from candidacy.errors import FhirError, Problem, SourceFileError
from candidacy.files import MAX_BYTES
from candidacy.text import printable

__all__ = ["MAX_FILES", "MAX_RESOURCES", "Entry", "Record", "fhir_date", "fhir_span", "read_record"]

MAX_FILES = 20
MAX_RESOURCES = 5000
BUNDLE_TYPES = ("collection", "searchset", "document")
#: The fields that hold a patient reference, and the fields whose dates may not lie in the future.
_SUBJECT_FIELDS = ("subject", "patient")
_DATE_FIELDS = (
    "birthDate",
    "onsetDateTime",
    "abatementDateTime",
    "recordedDate",
    "effectiveDateTime",
    "issued",
    "authoredOn",
    "dateAsserted",
    "performedDateTime",
    "occurrenceDateTime",
    "lastOccurrence",
)
_PERIOD_FIELDS = ("onsetPeriod", "effectivePeriod", "performedPeriod", "occurrencePeriod")
#: A literal reference: optional base URL, Type/id, optional version.
_REFERENCE = re.compile(r"(?:.*/)?([A-Z][A-Za-z]{1,63})/([A-Za-z0-9.-]{1,64})(?:/_history/[A-Za-z0-9.-]{1,64})?")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True)
class Entry:
    """One resource of the record, as its file gave it, with the release whose models accepted it."""

    data: dict[str, Any]
    release: str
    file: str
    line: int | None
    full_url: str | None = None  # Bundle.entry.fullUrl, which a ``urn:uuid:`` reference names

    @property
    def type(self) -> str:
        return str(self.data["resourceType"])

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def ref(self) -> str:
        return f"{self.type}/{self.id}"


@dataclass(frozen=True)
class Record:
    patient: Entry
    entries: tuple[Entry, ...]
    files: tuple[str, ...]
    #: Each Bundle entry's fullUrl and the ``Type/id`` it names (what a ``urn:uuid:`` reference points to).
    urls: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(e.type for e in self.entries)

    def by_ref(self, ref: str) -> Entry | None:
        return next((e for e in self.entries if e.ref == ref), None)

    def resolve(self, reference: str) -> Entry | None:
        """The record's resource a literal reference names (relative, versioned, absolute, or a fullUrl)."""
        target = _target(reference, self.urls)
        return self.by_ref(target) if target else None


def fhir_date(text: object) -> dt.date | None:
    """The first calendar day a FHIR date or dateTime may mean (a year alone is 1 January); None if not one.

    A dateTime with a time and an offset is an instant: its day is the day in the service's time zone,
    the zone "today" is counted in (``2026-12-02T00:30:00+14:00`` is still 1 December in London).
    """
    span = fhir_span(text)
    return span[0] if span else None


def fhir_span(text: object) -> tuple[dt.date, dt.date] | None:
    """The first and last calendar days a FHIR date or dateTime may mean: ``2019`` is 1 January to
    31 December 2019, ``2019-05`` the month of May, a full date that day alone; None if not one."""
    if not isinstance(text, str):
        return None
    found = _DATE.match(text)
    if not found:
        return None
    year, month, day = found.groups()
    try:
        if day is None:
            first = dt.date(int(year), int(month or 1), 1)
            last = dt.date(int(year), 12, 31) if month is None else _month_end(first)
            return first, last
        if len(text) > 10 and text[10] == "T":
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if when.tzinfo is not None:
                day_there = when.astimezone(clock.zone()).date()
                return day_there, day_there
        exact = dt.date(int(year), int(month), int(day))
        return exact, exact
    except ValueError:
        return None


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def read_record(sources: Sequence[tuple[str, bytes]], today: dt.date, identifier: str | None = None) -> Record:
    """Read files (name, bytes) into one patient's record; raise FhirError or SourceFileError, changing nothing.

    ``identifier`` (``system|value`` or a value alone) is the case's patient identifier when it has one.
    """
    if not sources:
        raise FhirError("no record file was given")
    if len(sources) > MAX_FILES:
        raise FhirError(f"{len(sources)} record files; the limit is {MAX_FILES}")
    entries: list[Entry] = []
    for name, raw in sources:
        entries.extend(_file_entries(name, raw))
        if len(entries) > MAX_RESOURCES:
            raise FhirError(f"more than {MAX_RESOURCES} resources; the limit is {MAX_RESOURCES}", file=name)
    urls = {e.full_url: e.ref for e in entries if e.full_url}
    entries = _deduplicated(entries)
    patients = [e for e in entries if e.type == "Patient"]
    if not patients:
        raise FhirError("the record holds no Patient resource: nothing says whose record it is")
    if len(patients) > 1:
        names = ", ".join(p.ref for p in patients)
        raise FhirError(f"the record holds {len(patients)} patients ({names}); give one patient's record")
    patient = patients[0]
    if identifier:
        _check_identifier(patient, identifier)
    for entry in entries:
        _check_subject(entry, patient, urls)
        _check_dates(entry, today)
    return Record(patient=patient, entries=tuple(entries), files=tuple(name for name, _ in sources), urls=urls)


def _file_entries(name: str, raw: bytes) -> list[Entry]:
    if len(raw) > MAX_BYTES:
        raise SourceFileError(Problem(f"file is {len(raw)} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=name))
    stripped = raw.lstrip()
    if name.lower().endswith((".ndjson", ".jsonl")) or (stripped[:1] == b"{" and b"}\n{" in raw.replace(b"\r", b"")):
        return _ndjson(name, raw)
    located = parse_bytes(raw, name)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FhirError("not a FHIR resource (a JSON object with a resourceType)", file=name)
    if data["resourceType"] != "Bundle":
        return [_entry(data, name, 1)]
    kind = data.get("type")
    if kind not in BUNDLE_TYPES:
        raise FhirError(
            f"a Bundle of type '{_named(kind)}' is not a patient record (one of {', '.join(BUNDLE_TYPES)})", file=name
        )
    items = data.get("entry") or []
    if not isinstance(items, list):
        raise FhirError("Bundle.entry is not a list", file=name)
    entries: list[Entry] = []
    for i, item in enumerate(items):
        mark = located.mark(("entry", i))
        line = mark[0] if mark else None
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            raise FhirError(Problem("the entry holds no resource", file=name, line=line, path=f"entry.{i}"))
        search = item.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue  # a server's message about the search, not part of the record
        if resource.get("resourceType") == "Bundle":
            raise FhirError(Problem("a Bundle inside a Bundle is not read", file=name, line=line, path=f"entry.{i}"))
        full_url = item.get("fullUrl")
        entry = _entry(resource, name, line, f"entry.{i}.resource")
        entries.append(replace(entry, full_url=full_url) if isinstance(full_url, str) else entry)
    return entries


def _ndjson(name: str, raw: bytes) -> list[Entry]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=name)) from exc
    entries: list[Entry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        data = parse_text(line, name, first_line=number).data
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            raise FhirError(Problem("not a FHIR resource (a JSON object with a resourceType)", file=name, line=number))
        entries.append(_entry(data, name, number))
    return entries


def _entry(data: dict[str, Any], file: str, line: int | None, path: str = "") -> Entry:
    """The resource checked by the R4B models, else the R5 models; refused when neither accepts it."""
    kind = data.get("resourceType")
    where = _named(f"{kind}/{data.get('id', '?')}")
    if not isinstance(data.get("id"), str):
        raise FhirError(
            Problem(f"{_named(kind)} has no id: its provenance could not be named", file=file, line=line, path=path)
        )
    failures: list[str] = []
    for release, model_of in (("R4B", r4b_model), ("R5", r5_model)):
        try:
            model_of(str(kind)).model_validate(data)
        except KeyError:
            raise FhirError(
                Problem(f"'{_named(kind)}' is not a FHIR resource type", file=file, line=line, path=path)
            ) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            failures.append(printable(f"{release}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"[:200]))
            continue
        except (ValueError, TypeError) as exc:  # fhir.resources' own checks outside pydantic
            failures.append(printable(f"{release}: {str(exc)[:200]}"))
            continue
        return Entry(data=data, release=release, file=file, line=line)
    raise FhirError(
        Problem(f"{where} is not a valid FHIR resource ({'; '.join(failures)})", file=file, line=line, path=path)
    )


def _named(value: object) -> str:
    """A type or id from the file, before the models checked it, as an error message may quote it."""
    text = printable(str(value))
    return text if len(text) <= 80 else f"{text[:79]}…"


def _deduplicated(entries: list[Entry]) -> list[Entry]:
    """One copy of a resource given twice (the Patient in every NDJSON file); two different copies are refused."""
    kept: dict[str, Entry] = {}
    for entry in entries:
        seen = kept.get(entry.ref)
        if seen is None:
            kept[entry.ref] = entry
        elif seen.data != entry.data:
            raise FhirError(
                Problem(f"{entry.ref} is given twice with different content", file=entry.file, line=entry.line)
            )
    return list(kept.values())


def _has_identifier(patient: Entry, system: object, value: object) -> bool:
    given = [i for i in patient.data.get("identifier") or [] if isinstance(i, dict)]
    return bool(value) and any(i.get("value") == value and (not system or i.get("system") == system) for i in given)


def _check_identifier(patient: Entry, identifier: str) -> None:
    system, _, value = identifier.rpartition("|")
    if not _has_identifier(patient, system, value):
        raise FhirError(
            Problem(
                f"this record is of {patient.ref}, whose identifiers do not include the case's ({identifier}); "
                "nothing was read from it",
                file=patient.file,
                line=patient.line,
            )
        )


def _target(reference: str, urls: dict[str, str]) -> str | None:
    """``Type/id`` of a reference (relative, absolute, versioned, or a Bundle's ``urn:uuid:`` fullUrl);
    None for a contained resource (``#id``) or a reference the record cannot resolve."""
    if reference in urls:
        return urls[reference]
    found = _REFERENCE.fullmatch(reference)
    if reference.startswith(("#", "urn:")) or found is None:
        return None
    return f"{found.group(1)}/{found.group(2)}"


def names_subject(entry: Entry) -> bool:
    """Whether a resource says whom it is about (checked to be the record's Patient when read). One that
    says nothing (an Observation may leave its subject out) is no evidence about this patient."""
    return any(isinstance(entry.data.get(name), dict) for name in _SUBJECT_FIELDS)


def _check_subject(entry: Entry, patient: Entry, urls: dict[str, str]) -> None:
    """A resource that names whom it is about must name the record's Patient, in a way that can be
    checked: a reference that resolves to it, or one of its identifiers. A contained Patient, another
    Patient, a Group or a name alone would make another person's data evidence for this one."""
    for name in _SUBJECT_FIELDS:
        ref = entry.data.get(name)
        if not isinstance(ref, dict):
            continue
        target, identifier = ref.get("reference"), ref.get("identifier")
        if isinstance(target, str):
            named, ok = target, _target(target, urls) == patient.ref
        elif isinstance(identifier, dict):
            named = f"identifier {identifier.get('system', '')}|{identifier.get('value', '')}"
            ok = _has_identifier(patient, identifier.get("system"), identifier.get("value"))
        else:
            named, ok = "no reference or identifier", False
        if not ok:
            raise FhirError(
                Problem(
                    f"{entry.ref} is about {_named(named)}, not about {patient.ref}: the record mixes "
                    "patients, or names one it does not hold; nothing was read from it",
                    file=entry.file,
                    line=entry.line,
                    path=name,
                )
            )


def _check_dates(entry: Entry, today: dt.date) -> None:
    values = [(f, entry.data.get(f)) for f in _DATE_FIELDS]
    for name in _PERIOD_FIELDS:
        period = entry.data.get(name)
        if isinstance(period, dict):
            values += [(f"{name}.start", period.get("start")), (f"{name}.end", period.get("end"))]
    for name, text in values:
        when = fhir_date(text)
        if when is not None and when > today:
            raise FhirError(
                Problem(
                    f"{entry.ref}: {name} is {text}, after today ({today.isoformat()}); check the record",
                    file=entry.file,
                    line=entry.line,
                    path=name,
                )
            )
