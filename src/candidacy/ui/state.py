"""Session state in one place: the drafts (one per criteria set) and the names of widget keys.

Widgets are views of the draft. Streamlit forgets a widget's state when it is not rendered (another
page, an item that stops applying), so the draft, not the widget, is the source of truth, and a
widget's state is seeded from the draft whenever Streamlit has dropped it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from candidacy.criteria.catalogue import Catalogue, load_catalogue
from candidacy.criteria.models import CriteriaSet
from candidacy.draft import new_draft
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet
from candidacy.settings import load_settings

__all__ = [
    "CRITERIA_DIR",
    "SET_KEY",
    "catalogue",
    "criteria_dir",
    "current_set",
    "draft_for",
    "forget_widgets",
    "key",
    "seed",
]

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "criteria"
DRAFTS = "drafts"
SET_KEY = "criteria-set"


def criteria_dir() -> str:
    """The criteria folder from the settings (``CANDIDACY_CRITERIA_DIR``, else the project's ``criteria/``)."""
    try:
        return str(load_settings().criteria_dir)
    except CandidacyError:
        return str(CRITERIA_DIR)  # the database setting is reported where the store is used


@st.cache_resource(show_spinner=False)
def _load(folder: str) -> Catalogue:
    return load_catalogue(folder)


def catalogue() -> Catalogue:
    """Criteria are read and validated once per process (per folder) and never changed afterwards."""
    return _load(criteria_dir())


def current_set() -> CriteriaSet | None:
    cat = catalogue()
    chosen = st.session_state.get(SET_KEY) or cat.default_id
    return cat.sets.get(chosen) if chosen else None


def draft_for(cset: CriteriaSet) -> AnswerSet:
    drafts: dict[str, AnswerSet] = st.session_state.setdefault(DRAFTS, {})
    if cset.id not in drafts:
        drafts[cset.id] = new_draft(cset)
    return drafts[cset.id]


def replace_draft(cset: CriteriaSet, draft: AnswerSet) -> None:
    st.session_state.setdefault(DRAFTS, {})[cset.id] = draft
    forget_widgets(cset)


def key(cset: CriteriaSet, role: str, name: str = "", scope: str = "") -> str:
    """Widget key, e.g. ``itb_pump-answer-cause``: stable, so tests can find widgets by key.

    ``scope`` keeps other checklists (the Learn page's practice) apart from the assessment's.
    """
    return f"{scope}{cset.id}-{role}-{name}" if name else f"{scope}{cset.id}-{role}"


def seed(widget_key: str, value: Any) -> None:
    """Give a widget its value from the draft when Streamlit has none for it."""
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value


def forget_widgets(cset: CriteriaSet) -> None:
    """Drop every widget value of a set, so that widgets are seeded again from a new draft."""
    prefix = f"{cset.id}-"
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[name]
