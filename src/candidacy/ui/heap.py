"""Keep Streamlit's collection after every script run from walking what lives as long as the process.

``streamlit run`` collects garbage in full after every script run (``runner.postScriptGC``). With
pydantic, the criteria models and (once used) the store loaded, that walks some 80,000 objects: about
45 ms of processor time after every click, the global interpreter lock held throughout, so the server
sends nothing meanwhile. Modules, classes and the cached criteria live as long as the process, so after
a run that imported modules everything alive is frozen (:func:`gc.freeze`): later collections walk only
what has been made since. Frozen objects are still freed when nothing refers to them; what the cycle
collector alone would free is kept: a cycle already garbage at that moment, or one that becomes garbage
later (the objects of a session open then and closed since). That happens once per run that imports a
feature's modules for the first time, a handful of times per process.
AppTest does not collect after a run, so nothing is frozen there.
"""

from __future__ import annotations

import gc
import sys

from streamlit import config as streamlit_config

__all__ = ["settle"]

_modules_frozen = 0  # len(sys.modules) at the last freeze; the process's, shared by every session


def settle() -> None:
    """At the end of a run: if it imported modules, freeze what is alive (see the module's docstring)."""
    global _modules_frozen  # one value per process, by design
    if len(sys.modules) == _modules_frozen:
        return
    _modules_frozen = len(sys.modules)
    # Read through the config module, where AppTest sets its flag for the length of a run.
    if streamlit_config.get_option("runner.postScriptGC") and not streamlit_config.get_option("global.appTest"):
        gc.freeze()
