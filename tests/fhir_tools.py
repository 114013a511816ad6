"""Test-only FHIR tools from the npm registry, pinned in tests/lhcforms/package-lock.json.

``npm ci`` installs them once (again when the lock changes): LHC-Forms (the form filler) and the
FHIR core packages ``hl7.fhir.r5.core`` / ``hl7.fhir.r4b.core`` (official JSON schema and the
StructureDefinitions with their FHIRPath invariants). Outside CI the tests skip when node or npm is
missing; with CI=true they fail instead (.ci/run installs Debian's nodejs and npm).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent / "lhcforms"
MODULES = TOOLS / "node_modules"
CORE_PACKAGES = {"R5": MODULES / "hl7.fhir.r5.core", "R4B": MODULES / "hl7.fhir.r4b.core"}
LFORMS = MODULES / "lforms" / "dist" / "lforms"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing, and the FHIR tool tests must run in CI (.ci/run installs nodejs and npm)")
    pytest.skip(f"{what} is missing (apt-get install nodejs npm); FHIR tool tests skipped outside CI")


def npm_tools() -> Path:
    """tests/lhcforms/node_modules, installed with ``npm ci`` from the lock when absent or stale."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _missing("node or npm")
    lock = TOOLS / "package-lock.json"
    stamp = MODULES / ".installed-from-lock"
    with (TOOLS / ".npm-ci.lock").open("w") as guard:  # one install at a time across test processes
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != lock.read_text():
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=TOOLS,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if done.returncode != 0:
                pytest.fail(f"npm ci in {TOOLS} failed:\n{done.stderr[-3000:]}")
            stamp.write_text(lock.read_text())
    return MODULES
