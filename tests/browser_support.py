"""Start ``streamlit run`` on a free localhost port and Debian's Chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's chromium; skip outside CI when it is missing, fail in CI (where it must run)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is not installed, and browser tests must run in CI (.ci/run installs it)")
    pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped outside CI")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (skipped outside CI, failing in CI, when absent)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Wait until a started ``streamlit run`` answers its health check; fail naming its log when it
    exits or does not answer within ``timeout`` (polling a start-up condition, with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not start; see {log}")
        time.sleep(0.2)


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, script: Path | None = None) -> Iterator[str]:
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / f"streamlit-{port}.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script or ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, Path(log.name))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# Counts every start and finish of a script run. A test reads the count before an action and waits
# until a run has started after it and the app is idle again: a condition, not a quiet moment.
#
# The count is taken from the websocket, as each message arrives: every run begins with a NewSession
# message and ends with ScriptFinished. The attribute Streamlit sets on its root element cannot be the
# count: a widget's change sends its rerun without the page ever showing "rerunRequested", and a
# browser starved of CPU may apply a whole run's messages in one render, so the attribute never leaves
# "notRunning" and the run goes unseen (an opened expander waited 60 s for a run that had come and gone).
# The attribute's changes are still logged, beside the messages, for a failure message.
RUN_OBSERVER = """
(() => {
  window.__runs = {started: 0, finished: 0, state: "initial", log: []};
  window.__wire = {started: 0, finished: 0, busy: false, reruns: 0, asked: false};
  const note = (line) => {
    window.__runs.log.push(`${Math.round(performance.now())} ms ${line}`);
    if (window.__runs.log.length > 16) window.__runs.log.shift();  // the latest, for a failure message
  };
  // The numbers of the top-level fields of a protobuf message, with the value of each varint field.
  const fields = (bytes) => {
    const found = new Map();
    let at = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = bytes[at++]; value += (byte & 127) * scale; scale *= 128; } while (byte & 128 && at < bytes.length);
      return value;
    };
    while (at < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), type = tag % 8;
      if (type === 0) found.set(field, varint());
      else if (type === 2) { const length = varint(); at += length; found.set(field, null); }
      else if (type === 1) { at += 8; found.set(field, null); }
      else if (type === 5) { at += 4; found.set(field, null); }
      else break;
    }
    return found;
  };
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  // A rerun asked for is under way from its request (sent after a widget's change, without the page
  // showing it) until the run it causes starts, and busy until that run (or the one after it) ends.
  // ForwardMsg: new_session = 4, script_finished = 6 (status 2: ended early for a rerun that follows);
  // BackMsg: rerun_script = 11. Field numbers are Streamlit's wire protocol (streamlit/proto).
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      // A new connection carries no run of the one before it (a server restarted, or a process killed).
      this.addEventListener("open", () => { window.__wire.busy = false; window.__wire.asked = false; });
      this.addEventListener("message", (event) => {
        const bytes = bytesOf(event.data);
        if (!bytes) return;
        const found = fields(bytes);
        if (found.has(4)) { window.__wire.started += 1; window.__wire.busy = true; window.__wire.asked = false; note(`run ${window.__wire.started} started`); }
        if (found.has(6)) {
          const early = found.get(6) === 2;
          if (!early) { window.__wire.finished += 1; window.__wire.busy = false; }
          note(early ? "run ended early for a rerun" : `run ${window.__wire.started} finished`);
        }
      });
    }
    send(data) {
      const bytes = bytesOf(data);
      if (bytes && fields(bytes).has(11)) { window.__wire.reruns += 1; window.__wire.asked = true; note("rerun requested"); }
      return super.send(data);
    }
  };
  const busy = (state) => state === "running" || state === "rerunRequested";
  const step = (before, now) => {
    if (now === before) return;
    if (busy(now) && !busy(before)) window.__runs.started += 1;
    if (busy(before) && !busy(now)) window.__runs.finished += 1;
    window.__runs.state = now;
    note(`${before} -> ${now}`);
  };
  // Each record carries the value it replaced: a run that starts and ends between two callbacks
  // still shows as two records (oldValue "notRunning" then "running").
  new MutationObserver((records) => {
    const mine = records.filter((r) => r.type === "attributes" && r.target.getAttribute
      && r.target.getAttribute("data-testid") === "stApp");
    mine.forEach((record, i) => {
      const now = i + 1 < mine.length ? mine[i + 1].oldValue : record.target.getAttribute("data-test-script-state");
      step(record.oldValue === null ? window.__runs.state : record.oldValue, now);
    });
    const root = document.querySelector('[data-testid="stApp"]');
    if (root && !mine.length) step(window.__runs.state, root.getAttribute("data-test-script-state"));
  }).observe(document, {attributes: true, attributeOldValue: true, subtree: true, childList: true,
                        attributeFilter: ["data-test-script-state"]});
})();
"""

# Idle: no run under way (on the wire and as the page shows it), connected, and no element of an earlier
# run still on the page. Streamlit marks the run finished a moment before it removes such elements, and
# their removal moves what is below them: a click aimed in that moment can land on another control.
PAGE_IDLE = """(() => {
  const root = document.querySelector('[data-testid="stApp"]');
  return !!root && root.getAttribute("data-test-script-state") === "notRunning"
    && root.getAttribute("data-test-connection-state") === "CONNECTED"
    && !document.querySelector('[data-stale="true"]')
    && (!window.__wire || (!window.__wire.busy && !window.__wire.asked));
})()"""  # a JavaScript expression, for the conditions below and the tests' own

# Idle after a run that started after ``before`` (PAGE_IDLE: every rerun asked for has started and every
# run begun has ended, on the wire, and the page shows none under way).
IDLE = "(before) => window.__wire.started > before && " + PAGE_IDLE

# The first run of a page has ended and the page is idle (after a goto or a reload).
FIRST_RUN_DONE = "() => !!window.__wire && window.__wire.started > 0 && " + PAGE_IDLE


def runs_started(page: Any) -> int:
    return int(page.evaluate("() => window.__wire ? window.__wire.started : 0"))


def wait_for_rerun(page: Any, before: int, timeout: float = 60_000) -> None:
    """Wait until a script run has started after ``before`` (a count from :func:`runs_started`) and ended."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(IDLE, arg=before, timeout=timeout)
    except PlaywrightTimeout as timed_out:
        seen = page.evaluate(RUNS_SEEN)
        raise AssertionError(
            f"no script run started and ended after run {before} within {timeout / 1000:.0f} s; {seen}"
        ) from timed_out


# What the page's runs did, for a failure message: counts, the latest state changes, the connection.
RUNS_SEEN = """() => {
  const root = document.querySelector('[data-testid="stApp"]');
  const runs = window.__runs || {}, wire = window.__wire || {};
  return `runs started ${wire.started}, finished ${wire.finished}, reruns requested ${wire.reruns}`
    + `${wire.asked ? " (the latest not started)" : ""}; `
    + `latest changes: ${(runs.log || []).join(", ")}; `
    + `now ${root && root.getAttribute("data-test-script-state")}, ${root && root.getAttribute("data-test-connection-state")}, `
    + `${document.querySelectorAll('[data-stale="true"]').length} stale element(s)`;
}"""


IDLE_NOW = "() => " + PAGE_IDLE


@contextmanager
def rerun(page: Any) -> Iterator[None]:
    """``with rerun(page): <action>`` returns once the rerun the action caused has finished.

    It first waits until no run is under way: an action during a run is handled by that run's
    script thread as it goes on, which the browser may show as one long run, never as a new one.
    """
    page.wait_for_function(IDLE_NOW, timeout=60_000)
    before = runs_started(page)
    yield
    wait_for_rerun(page, before)


@contextmanager
def cpu_hog(seconds: float = 240) -> Iterator[None]:
    """One busy process beside the server (bounded: it ends itself after ``seconds``)."""
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
    hog = subprocess.Popen([sys.executable, "-c", code])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()
