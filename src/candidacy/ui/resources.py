"""What every session of the server process shares: the settings and the criteria, each read once.

Neither is session state: the settings depend on the environment only, the criteria on their folder
only, and neither changes after reading. Both are cached for the process (``st.cache_resource``) and
looked up in a plain dict first, because a run asks for them several times.
"""

from __future__ import annotations

import os

import streamlit as st

from candidacy.criteria.catalogue import Catalogue, load_catalogue
from candidacy.errors import CandidacyError
from candidacy.settings import PROJECT_ROOT, Settings, load_settings

__all__ = ["catalogue", "criteria_dir", "settings"]

CRITERIA_DIR = PROJECT_ROOT / "criteria"


@st.cache_resource(show_spinner=False)
def _settings(environment: tuple[tuple[str, str], ...]) -> Settings:
    del environment  # the cache key: settings are read again only when the environment changes
    return load_settings()


_SETTINGS: dict[tuple[tuple[str, str], ...], Settings] = {}  # a plain look-up first: asked several times a run
_CATALOGUES: dict[str, Catalogue] = {}


def settings() -> Settings:
    """The settings, read once per environment (tests change it between sessions)."""
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("CANDIDACY_")))
    found = _SETTINGS.get(environment)
    if found is None:
        found = _SETTINGS[environment] = _settings(environment)
    return found


def criteria_dir() -> str:
    """The criteria folder from the settings (``CANDIDACY_CRITERIA_DIR``, else the project's ``criteria/``)."""
    try:
        return str(settings().criteria_dir)
    except CandidacyError:
        return str(CRITERIA_DIR)  # the database setting is reported where the store is used


@st.cache_resource(show_spinner=False)
def _load(folder: str) -> Catalogue:
    return load_catalogue(folder)


def catalogue() -> Catalogue:
    """Criteria are read and validated once per process (per folder) and never changed afterwards."""
    folder = criteria_dir()
    found = _CATALOGUES.get(folder)
    if found is None:
        found = _CATALOGUES[folder] = _load(folder)
    return found
