"""From nothing to the first screen: ``git clone`` then ``make run``, until the page shows its checklist.

Each run clones this repository into a new folder beside it, with empty pip and uv caches (as on a new
machine: every package comes from the registry), runs ``make run`` on a free port, waits for the
server's health endpoint, then for the last unconditional item of the checklist in headless Chromium.
The uv install (the Makefile's default) and the pip-only one (``INSTALLER=pip``) run in turn, A B A B,
so that a busy machine slows both alike. Figures: the median of each, and their ratio.

Not part of ``make bench`` (each run installs the whole lock). Run from the project's own virtual
environment, which drives Chromium: .venv/bin/python bench/install.py [--pairs 3] [--into FOLDER]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from candidacy import load_criteria  # noqa: E402
from tests.browser_support import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

TIMEOUT = 1800.0  # seconds for one run, clone to first screen


def _wait(check: Callable[[], bool], what: str, began: float) -> float:
    """Poll ``check`` until it is true; the seconds since ``began``."""
    while not check():
        if time.perf_counter() - began > TIMEOUT:
            raise TimeoutError(f"{what}: not reached in {TIMEOUT:.0f} s")
        time.sleep(0.1)
    return time.perf_counter() - began


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def one_run(installer: str, into: Path, browser: object, selector: str) -> dict[str, float]:
    """Clone, ``make run``, first screen; seconds to each step. The clone and its caches are removed after."""
    clone, caches = into / "clone", into / "caches"
    shutil.rmtree(into, ignore_errors=True)
    caches.mkdir(parents=True)
    env = os.environ | {"PIP_CACHE_DIR": str(caches / "pip"), "UV_CACHE_DIR": str(caches / "uv")}
    port = free_port()
    began = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, env=env)
    command = ["make", "run", f"PORT={port}", "HOST=127.0.0.1", f"INSTALLER={installer}"]
    log = (into / "make.log").open("w")
    server = subprocess.Popen(command, cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        installed = _wait(
            lambda: (clone / ".venv" / ".installed").exists() or server.poll() is not None, "install", began
        )
        if server.poll() is not None:
            raise RuntimeError(f"make run ended ({server.returncode}); see {into / 'make.log'}")
        healthy = _wait(lambda: _healthy(port) or server.poll() is not None, "health", began)
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator(selector).wait_for(timeout=TIMEOUT * 1000)
        shown = time.perf_counter() - began
        page.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    shutil.rmtree(into, ignore_errors=True)
    return {"installed": installed, "healthy": healthy, "shown": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--into", type=Path, default=ROOT.parent / f"{ROOT.name}-install-bench")
    args = parser.parse_args()
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    last = [c.id for c in cset.iter_criteria() if c.applies_when is None][-1]  # always drawn
    selector = f".st-key-itb_pump-answer-{last}"

    from playwright.sync_api import sync_playwright

    runs: dict[str, list[dict[str, float]]] = {"uv": [], "pip": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        for pair in range(args.pairs):
            for installer in ("uv", "pip"):
                figures = one_run(installer, args.into, browser, selector)
                runs[installer].append(figures)
                print(
                    f"pair {pair + 1} {installer:3s}: installed {figures['installed']:6.1f} s, "
                    f"healthy {figures['healthy']:6.1f} s, first screen {figures['shown']:6.1f} s",
                    flush=True,
                )
        browser.close()
    print(f"from nothing (git clone) to the first screen, median of {args.pairs} interleaved pairs:")
    for installer in ("uv", "pip"):
        shown = statistics.median(r["shown"] for r in runs[installer])
        installed = statistics.median(r["installed"] for r in runs[installer])
        print(f"  make run, {installer:3s}  {shown:6.1f} s   (clone and install {installed:6.1f} s)")
    ratio = statistics.median(r["shown"] for r in runs["uv"]) / statistics.median(r["shown"] for r in runs["pip"])
    print(f"  ratio uv/pip     {ratio:6.2f}")


if __name__ == "__main__":
    main()
