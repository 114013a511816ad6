"""Load a screening protocol from YAML, and check it against the criteria set it answers.

Problems are reported like the criteria's: ``FILE:LINE:COL: dotted.path: message``, all at once.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from candidacy.criteria.loader import problems_from_validation
from candidacy.criteria.located import Located
from candidacy.criteria.models import ChoiceAnswer, CriteriaSet
from candidacy.criteria.yamlsource import parse_text, read_file
from candidacy.errors import Problem, ProtocolError
from candidacy.screening.checks import check_worksheet
from candidacy.screening.protocol import Protocol
from candidacy.screening.protocol_checks import protocol_faults
from candidacy.screening.worksheet import Worksheet, WorksheetError

__all__ = [
    "ProtocolError",
    "check_protocol_against",
    "load_protocol",
    "load_protocol_text",
    "load_worksheet",
    "load_worksheet_text",
    "protocol_files",
    "screening_folder",
    "worksheet_protocol_id",
]


def screening_folder(criteria_dir: Path | str) -> Path:
    """Where the protocols of a criteria folder live: its ``screening/`` subfolder."""
    return Path(criteria_dir) / "screening"


def protocol_files(folder: Path | str) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_protocol(path: Path | str, cset: CriteriaSet | None = None, display_name: str | None = None) -> Protocol:
    """Read and validate a protocol; with ``cset``, also check the items and answers it maps onto."""
    return _validate(read_file(path, display_name), cset)


def load_protocol_text(text: str, cset: CriteriaSet | None = None, name: str = "<text>") -> Protocol:
    return _validate(parse_text(text, name), cset)


def _validate(located: Located, cset: CriteriaSet | None) -> Protocol:
    if not isinstance(located.data, dict):
        raise ProtocolError(located.problem((), "a screening protocol must be a mapping (id, title, dosing, ...)"))
    try:
        protocol = Protocol.model_validate(located.data)
    except ValidationError as exc:
        raise ProtocolError(problems_from_validation(exc, located)) from None
    problems = [located.problem(path, message) for path, message in protocol_faults(protocol)]
    if cset is not None:
        problems += [located.problem(path, message) for path, message in _against(protocol, cset)]
    if problems:
        raise ProtocolError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return protocol


def check_protocol_against(protocol: Protocol, cset: CriteriaSet) -> list[Problem]:
    """What in the protocol does not fit the criteria set (without file positions)."""
    return [Problem(message, path=".".join(map(str, path))) for path, message in _against(protocol, cset)]


def _against(protocol: Protocol, cset: CriteriaSet) -> list[tuple[tuple[str | int, ...], str]]:
    if protocol.criteria != cset.id:
        return [(("criteria",), f"the protocol is for criteria set '{protocol.criteria}', not '{cset.id}'")]
    faults: list[tuple[tuple[str | int, ...], str]] = []
    item = cset.criteria_by_id.get(protocol.answer_item)
    if item is None or not isinstance(item.answer, ChoiceAnswer):
        faults.append((("answer_item",), f"'{protocol.answer_item}' is not a choice item of '{cset.id}'"))
    else:
        options = {o.value for o in item.answer.options}
        for index, outcome in enumerate(protocol.outcomes):
            if outcome.answer not in options:
                faults.append(
                    (
                        ("outcomes", index, "answer"),
                        f"'{outcome.answer}' is not an option of '{item.id}' (options: {', '.join(sorted(options))})",
                    )
                )
    if protocol.definition_item is not None:
        defined = cset.criteria_by_id.get(protocol.definition_item)
        if defined is None or not isinstance(defined.answer, ChoiceAnswer):
            faults.append((("definition_item",), f"'{protocol.definition_item}' is not a choice item of '{cset.id}'"))
        else:
            options = {o.value for o in defined.answer.options}
            for index, definition in enumerate(protocol.definitions):
                if definition.answer not in options:
                    faults.append(
                        (("definitions", index, "answer"), f"'{definition.answer}' is not an option of '{defined.id}'")
                    )
    if protocol.reaction_item is not None:
        reaction = cset.criteria_by_id.get(protocol.reaction_item)
        if reaction is None or not isinstance(reaction.answer, ChoiceAnswer):
            faults.append((("reaction_item",), f"'{protocol.reaction_item}' is not a choice item of '{cset.id}'"))
        else:
            options = {o.value for o in reaction.answer.options}
            events = protocol.adverse_events
            if events.none not in options:
                faults.append((("adverse_events", "none"), f"'{events.none}' is not an option of '{reaction.id}'"))
            for index, event in enumerate(events.items):
                if event.gives not in options:
                    faults.append(
                        (
                            ("adverse_events", "items", index, "gives"),
                            f"'{event.gives}' is not an option of '{reaction.id}'",
                        )
                    )
    faults += _tolerated_faults(protocol, cset)
    return faults


def _tolerated_faults(protocol: Protocol, cset: CriteriaSet) -> list[tuple[tuple[str | int, ...], str]]:
    settles = protocol.tolerated_dose
    if settles is None:
        return []
    faults: list[tuple[tuple[str | int, ...], str]] = []
    item = cset.criteria_by_id.get(settles.item)
    if item is None or not isinstance(item.answer, ChoiceAnswer):
        faults.append((("tolerated_dose", "item"), f"'{settles.item}' is not a choice item of '{cset.id}'"))
    elif settles.answer not in {o.value for o in item.answer.options}:
        faults.append((("tolerated_dose", "answer"), f"'{settles.answer}' is not an option of '{item.id}'"))
    events = {event.id for event in protocol.adverse_events.items}
    for index, event in enumerate(settles.unless_events):
        if event not in events:
            faults.append((("tolerated_dose", "unless_events", index), f"unknown adverse event '{event}'"))
    return faults


def load_worksheet(path: Path | str, protocol: Protocol, display_name: str | None = None) -> Worksheet:
    """Read a worksheet file (YAML or JSON) and check it against its protocol, naming file and line."""
    return _worksheet(read_file(path, display_name), protocol)


def load_worksheet_text(text: str, protocol: Protocol, name: str = "<worksheet>") -> Worksheet:
    return _worksheet(parse_text(text, name), protocol)


def _worksheet(located: Located, protocol: Protocol) -> Worksheet:
    if not isinstance(located.data, dict):
        raise WorksheetError(located.problem((), "a worksheet must be a mapping (format, protocol, plan, doses)"))
    try:
        ws = Worksheet.model_validate(located.data)
    except ValidationError as exc:
        raise WorksheetError(problems_from_validation(exc, located)) from None
    return check_worksheet(protocol, ws, located)


def worksheet_protocol_id(path: Path | str) -> str:
    """The protocol a worksheet file names, read before the protocol is chosen."""
    located = read_file(path)
    data = located.data
    ident = data.get("protocol") if isinstance(data, dict) else None
    if not isinstance(ident, str):
        raise WorksheetError(located.problem(("protocol",), "the worksheet must name its protocol"))
    return ident
