"""The screening worksheet open in this session, and its autosave: every widget change is stored.

The page calls :func:`change` with a pure function from ``candidacy.screening.worksheet``; the
result is stored at once (with its audit rows), or refused with the reason shown on the page. The
worksheet in the store is the source of truth; widget values are seeded from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from candidacy import clock
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.screening.loader import load_protocol, protocol_files, screening_folder
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import Worksheet
from candidacy.store import ConflictError, FrozenError
from candidacy.store.screening import ScreeningStore, StoredWorksheet
from candidacy.ui import cases_state
from candidacy.ui.resources import catalogue, criteria_dir
from candidacy.ui.state import SCREENING_MESSAGE, SCREENING_OPEN

__all__ = [
    "change",
    "now",
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


def now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


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


def change(edit: Callable[[Protocol, Worksheet, Identity], Worksheet]) -> bool:
    """Apply a change by the person acting to the open worksheet and store it; on refusal the page
    shows why (nobody named yet, the worksheet is confirmed, it keeps changing under us).

    Every edit is a pure function of one field, so when another save landed first (a quick second
    tap on the ward, or a colleague) it is applied again to the stored worksheet instead of being lost."""
    for _attempt in range(3):
        stored = opened()
        if stored is None:
            return False
        store = screening_store()
        try:
            who = cases_state.actor()
            protocol = store.protocol(stored.worksheet.protocol)
            store.save(stored.id, stored.lock_version, edit(protocol, stored.worksheet, who), who)
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
