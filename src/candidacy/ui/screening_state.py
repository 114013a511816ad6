"""The screening worksheet open in this session, and its autosave: every widget change is stored.

The page calls :func:`change` with a ward change (data, :mod:`candidacy.case.worksheet_changes`); the
store applies it to the worksheet it holds (with its audit rows), or refuses it with the reason shown
on the page. The worksheet in the store is the source of truth; widget values are seeded from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from candidacy.case.worksheet_changes import WorksheetChange
from candidacy.errors import CandidacyError
from candidacy.screening.loader import load_protocol, protocol_files, screening_folder
from candidacy.screening.protocol import Protocol
from candidacy.store import ConflictError, FrozenError
from candidacy.store.screening import ScreeningStore, StoredWorksheet
from candidacy.ui import cases_state
from candidacy.ui.resources import catalogue, criteria_dir
from candidacy.ui.state import SCREENING_MESSAGE, SCREENING_OPEN

__all__ = [
    "change",
    "open_worksheet",
    "opened",
    "protocols",
    "screening_store",
    "set_message",
    "take_message",
]


@st.cache_resource(show_spinner=False)
def _protocols(folder: str) -> tuple[dict[str, Protocol], list[str]]:
    found: dict[str, Protocol] = {}
    problems: list[str] = []
    sets = catalogue().sets
    for path in protocol_files(screening_folder(Path(folder))):
        try:
            first = load_protocol(path)
            protocol = load_protocol(path, sets.get(first.criteria))
        except CandidacyError as error:
            problems += [str(p) for p in error.problems]
            continue
        found[protocol.id] = protocol
    return found, problems


def protocols() -> tuple[dict[str, Protocol], list[str]]:
    """The protocols of the criteria folder's ``screening/``, read once, and the problems of bad files."""
    return _protocols(criteria_dir())


def screening_store() -> ScreeningStore:
    return ScreeningStore(cases_state.store(), protocols()[0])


def opened() -> StoredWorksheet | None:
    worksheet_id = st.session_state.get(SCREENING_OPEN)
    if worksheet_id is None:
        return None
    try:
        return screening_store().get(int(worksheet_id))
    except CandidacyError as error:
        set_message(str(error))
        st.session_state.pop(SCREENING_OPEN, None)
        return None


def open_worksheet(worksheet_id: int | None) -> None:
    if worksheet_id is None:
        st.session_state.pop(SCREENING_OPEN, None)
    else:
        st.session_state[SCREENING_OPEN] = worksheet_id


def change(make: Callable[[int], WorksheetChange]) -> bool:
    """Store a ward change to the open worksheet (``make`` builds it for the worksheet's number) by the
    person acting; on refusal the page shows why (nobody named yet, the worksheet is confirmed, a value
    someone else stored meanwhile) and draws what is stored.

    The store applies the change to the worksheet it holds, in its transaction; a write that lost a race
    with another one (a colleague's, at the same moment) is tried again on what that one stored."""
    last: CandidacyError | None = None
    for _attempt in range(3):
        worksheet_id = st.session_state.get(SCREENING_OPEN)
        if worksheet_id is None:
            return False
        try:
            screening_store().apply(int(worksheet_id), make(int(worksheet_id)), cases_state.actor())
        except ConflictError as error:
            last = error
            continue
        except FrozenError as error:
            set_message(str(error))
            return False
        except CandidacyError as error:
            set_message(f"Not saved: {error}")
            return False
        return True
    set_message(str(last))
    return False


def set_message(text: str) -> None:
    st.session_state[SCREENING_MESSAGE] = text


def take_message() -> str | None:
    message = st.session_state.pop(SCREENING_MESSAGE, None)
    return str(message) if message else None
