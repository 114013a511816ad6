"""Keep Streamlit's collection after every script run from walking what lives as long as the process.

``streamlit run`` collects garbage in full after every script run (``runner.postScriptGC``). With
pydantic, the criteria models and (once used) the store loaded, that walks some 80,000 objects: about
45 ms of processor time after every click, the global interpreter lock held throughout, so the server
sends nothing meanwhile. Modules, classes and the cached criteria live as long as the process, so after
a run that imported modules everything alive is frozen (:func:`gc.freeze`): later collections walk only
what has been made since. Frozen objects are still freed when nothing refers to them, but what only
the cycle collector frees (the objects of a session open at a freeze and closed since) waits for the
next refresh: every 500 runs of the process, and at each later run that imports modules, everything is
thawed, collected once (the 45 ms again, once) and frozen again.
AppTest does not collect after a run, so nothing is frozen there.
"""

from __future__ import annotations

import gc
import sys

from streamlit import config as streamlit_config

__all__ = ["settle"]

REFRESH_RUNS = 500  # runs between two refreshes (see the module's docstring)

# The process's, shared by every session (a count lost to two threads at once only delays a refresh).
_modules_frozen = 0  # len(sys.modules) at the last freeze
_runs = 0  # runs since then


def settle() -> None:
    """At the end of a run: freeze what is alive if the run imported modules, refresh every 500 runs."""
    global _modules_frozen, _runs  # one value per process, by design
    _runs += 1
    if len(sys.modules) == _modules_frozen and _runs < REFRESH_RUNS:
        return
    first = _modules_frozen == 0
    _modules_frozen, _runs = len(sys.modules), 0
    # Read through the config module, where AppTest sets its flag for the length of a run.
    if streamlit_config.get_option("runner.postScriptGC") and not streamlit_config.get_option("global.appTest"):
        if not first:  # the first run of the process has nothing frozen to free: its start stays quick
            gc.unfreeze()
            gc.collect()
        gc.freeze()
