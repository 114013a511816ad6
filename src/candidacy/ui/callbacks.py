"""Widget callbacks that run to their end: the one Streamlit internal the app touches.

Every widget and button callback of the app is wrapped by :func:`callback`, so that a change is never
cut short half-way by a newer rerun request; see its docstring for the upstream limitation it works
around and the test that pins it. Kept apart from the session state it protects, so that the patch
is easy to find, and to remove once Streamlit offers protected blocks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

__all__ = ["callback"]

P = ParamSpec("P")


def callback(run: Callable[P, None]) -> Callable[P, None]:
    """Make a widget callback run to its end, even when a newer rerun request arrives meanwhile.

    Streamlit checks for a pending rerun at every ``st.session_state`` access, also inside
    callbacks, and ends the callback there with a RerunException (as if it had called
    ``st.rerun()``). A change cut off that way was lost: the widget's new value was already
    recorded, so the next run saw no change and never called back; the screen showed the answer
    while the draft, the summary and the store did not. Here the check is switched off while the
    callback runs: a request that arrives stays pending, and Streamlit handles it right after the
    callbacks, at its usual check, with the newest widget values.

    This is the one Streamlit internal the app touches (``SafeSessionState._yield_callback``). It works
    around a known upstream limitation: a rerun request ends whatever code is writing session state,
    for responsiveness (streamlit/streamlit#10578, open; maintainers suggested protected blocks as a
    future option). ``tests/test_app_session.py`` pins the behaviour; remove this once upstream offers it.
    """

    @functools.wraps(run)
    def whole(*args: P.args, **kwargs: P.kwargs) -> None:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        safe = getattr(ctx, "session_state", None)
        check = getattr(safe, "_yield_callback", None)
        if safe is None or check is None:  # outside a script run: nothing to hold back
            run(*args, **kwargs)
            return
        object.__setattr__(safe, "_yield_callback", _no_check)
        try:
            run(*args, **kwargs)
        finally:
            object.__setattr__(safe, "_yield_callback", check)

    return whole


def _no_check() -> None:
    """Stands in for Streamlit's rerun check while a callback runs (the request stays pending)."""
