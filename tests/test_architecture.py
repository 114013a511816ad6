"""The domain core stays free of the UI, and its public surface is explicit."""

from __future__ import annotations

import subprocess
import sys

import candidacy


def test_importing_the_core_does_not_import_streamlit() -> None:
    code = (
        "import importlib, pkgutil, sys, candidacy\n"
        "for m in pkgutil.walk_packages(candidacy.__path__, 'candidacy.'):\n"
        "    if not m.name.startswith(('candidacy.ui', 'candidacy.store.migrations', 'candidacy.__main__')):\n"
        "        importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_public_names_exist() -> None:
    for name in candidacy.__all__:
        assert hasattr(candidacy, name), name
