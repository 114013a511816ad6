"""A page's choices in its address (query parameters), so reload, back/forward, a link and a bookmark land on them.

The pattern of the Meeting page's date, for pages with several parameters (the parameter names are
declared in :mod:`candidacy.ui.state`). Each run of such a page:

1. :func:`arrived` says whether the page must follow the address: it differs from what the page last
   wrote (a reload, back or forward, a link, a bookmark), or the page's widgets were forgotten (another
   page ran in between). Only then does the page set its widgets from the address, so that a choice
   just made is not undone by the old address.
2. After its widgets, the page hands :func:`settle` the parameters of what it shows, leaving out those
   at their default: the page's own link (a bare address) then shows the defaults and stays bare, so it
   adds no second history entry. When they differ from the address, the address is rewritten in one
   step: one history entry per choice, and back returns to the choice before.

A value the page cannot use is named in a message (shortened by :func:`echo`, shown as text by
:func:`warn`), and the page shows its default instead: never a traceback, never the value as Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import streamlit as st

from candidacy.reports.render import escape_markdown

__all__ = ["arrived", "current", "day", "echo", "number", "settle", "warn"]

ECHOED = 60  # characters of a bad value repeated in a message
_NUMBER = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() also accepts '²'


def current(names: Sequence[str]) -> dict[str, str]:
    """The address's values of these parameters (the last one when a parameter is repeated)."""
    return {name: st.query_params[name] for name in names if name in st.query_params}


def arrived(memory: str, names: Sequence[str], marker: str) -> dict[str, str] | None:
    """The page's parameters when the page must follow the address, else None.

    ``memory`` is the session key where :func:`settle` keeps what the page last wrote; ``marker`` is the
    key of a widget the page always draws: when Streamlit has forgotten it, the page was not shown in
    the previous run, and its widgets start again from the address.
    """
    now = current(names)
    if marker not in st.session_state or st.session_state.get(memory) != now:
        return now
    return None


def settle(memory: str, names: Sequence[str], shown: dict[str, str]) -> None:
    """Make the address name what the page shows (its other parameters kept), in one step."""
    if current(names) != shown:
        others = {k: v for k, v in st.query_params.to_dict().items() if k not in names}
        st.query_params.from_dict({**others, **{name: shown[name] for name in names if name in shown}})
    st.session_state[memory] = shown


def echo(raw: str) -> str:
    """A value from the address for a message: quoted and cut to a readable length."""
    return "'" + (raw if len(raw) <= ECHOED else raw[: ECHOED - 1] + "…") + "'"


def number(raw: str) -> int | None:
    """A whole number written with ASCII digits (a case or worksheet number), else None."""
    return int(raw) if _NUMBER.fullmatch(raw) else None


def day(raw: str) -> dt.date | None:
    """A date written YYYY-MM-DD, else None."""
    try:
        return dt.date.fromisoformat(raw) if len(raw) == len("2026-12-03") else None
    except ValueError:
        return None


def warn(problems: Sequence[str]) -> None:
    """Say what in the address could not be used, and what is shown instead (as plain text)."""
    for problem in problems:
        st.warning(escape_markdown(problem), icon=":material/link_off:")
