"""A team's load on real parts: nginx in front of two ``streamlit run`` processes, one PostgreSQL, and
concurrent sessions (contexts of one headless Chromium, Playwright's async API) answering and writing
notes on shared stored cases. Used by ``bench/team_load.py`` (20 sessions, 10 cases) and
``tests/test_team_load.py`` (a smaller run with assertions).

Each session keeps a record of what it did and what the page said: an action is *acknowledged* when
the page drew the run that applied it and said nothing against it, *refused* when the page said the
case was changed by someone else (or "Not saved: ..."), *unknown* when the session lost its server
(the process was killed) before the page said either. The audit trail of each case is the ground
truth: every acknowledged change has its row, no refused change has one, and an unknown one may or
may not. Every note's text is unique, so a note row names the action that made it; answers are
counted per item and value, and the two sessions of a case answer different items.

nginx runs as an unprivileged process from a folder of its own (``-p``, ``daemon off``, logs and
temporary files in that folder) with the README's server block: sticky sessions and the WebSocket
upgrade. Every test browser comes from 127.0.0.1, so ``ip_hash`` would put them all on one process;
each session carries a route cookie instead (the cookie form of stickiness), and a route's other
process is its backup, so a killed process's sessions reconnect to the other one through nginx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from candidacy import load_criteria
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile
from candidacy.store import CaseStore

from .browser_support import ARTIFACTS, CHROMIUM_ARGS, PAGE_IDLE, ROOT, RUN_OBSERVER, free_port, wait_healthy

NGINX = "/usr/sbin/nginx"
ROUTE_COOKIE = "candidacy_route"
# A refusal is said by the case panel's error, drawn once by the run that handled the change (its
# icon first: under load its text may be drawn a moment after the icon), or "Not saved: ..." for any
# other failure. (A refused note's text also stays in a warning beside the note until dismissed: that
# one speaks of an earlier action too, so it is not read as this action's answer.)
REFUSED = ("sync_problem", "changed by someone else", "Not saved:")
# The two sessions of one case answer different items (yes/no items that no other item depends on).
ITEMS = (
    ("active_infection", "mental_health", "malnutrition", "refill_commitment"),
    ("reliable_support", "travel_barrier", "organ_disease", "financial_burden"),
)
LABELS = {"yes": "Yes", "no": "No"}

# Counts the times the page lost its server (the connection left CONNECTED): the session is then a new
# one on whichever process nginx reaches, and an action under way has no answer from the page.
CONNECTION_OBSERVER = """
(() => {
  // Each attribute change is read from its own record (its old value, and the next record's old value or
  // the current one as its new value): a reconnect quick enough to end within one batch of mutations
  // (CONNECTED -> PINGING_SERVER -> CONNECTED) still counts, though the attribute reads CONNECTED again.
  window.__lost = 0;
  const NAME = "data-test-connection-state";
  new MutationObserver((records) => {
    const changes = records.filter((r) => r.attributeName === NAME);
    changes.forEach((r, i) => {
      const now = i + 1 < changes.length ? changes[i + 1].oldValue : r.target.getAttribute(NAME);
      if (r.oldValue === "CONNECTED" && now !== "CONNECTED") window.__lost += 1;
    });
  }).observe(document, {attributes: true, subtree: true, attributeOldValue: true, attributeFilter: [NAME]});
})();
"""

COUNT_SHOWN = """() => {
  const status = document.querySelector('.st-key-save-status:not([data-stale="true"])');
  return status ? parseInt(status.innerText.trim(), 10) : NaN;
}"""

# The action's run has been drawn (the page's change count reached it, nothing under way), or the
# page lost its server. Read in the same moment: the page's messages and what the item shows (a run
# that follows, such as a note box closing when the case is reloaded, may redraw them).
ANSWERED = (
    """({count, lost, item}) => {
  if (window.__lost > lost) return {state: "lost"};
  const status = document.querySelector('.st-key-save-status:not([data-stale="true"])');
  const shown = status ? parseInt(status.innerText.trim(), 10) : NaN;
  if (!(shown >= count && """
    + PAGE_IDLE
    + """)) return false;
  const box = document.querySelector(`.st-key-itb_pump-note-${item} textarea`);
  const on = document.querySelector(`.st-key-itb_pump-answer-${item} [role="radio"][aria-checked="true"]`);
  return {state: "drawn", box: box ? box.value : null, chosen: on ? on.textContent.trim() : null,
          alerts: [...document.querySelectorAll('[data-testid="stAlert"]')].map((e) => e.textContent)};
}"""
)

IDLE_OR_LOST = "(lost) => window.__lost > lost || " + PAGE_IDLE

ALERTS = """() => [...document.querySelectorAll('[data-testid="stAlert"]')]
  .filter((el) => !el.closest('[data-stale="true"]')).map((el) => el.textContent)"""


# --- the parts ---------------------------------------------------------------------------------------


@dataclass
class App:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


STREAMLIT_RUN = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1"]
STREAMLIT_RUN += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]


@contextmanager
def app_processes(env: dict[str, str], names: tuple[str, ...] = ("a", "b")) -> Iterator[list[App]]:
    """``streamlit run app.py`` once per name, each on a free port, started together; yields them with
    their processes (to kill one). The database is migrated before (:func:`seed_cases`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    apps: list[App] = []
    try:
        for name in names:
            port = free_port()
            log_path = ARTIFACTS / f"team-load-{name}.log"
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    [*STREAMLIT_RUN, "--server.port", str(port)],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **env},
                )
            apps.append(App(f"http://127.0.0.1:{port}", process, log_path))
        for app in apps:
            wait_healthy(app.url, app.process, app.log)
        yield apps
    finally:
        for app in apps:
            if app.process.poll() is None:
                app.process.terminate()
        for app in apps:
            try:
                app.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.process.kill()
                app.process.wait()


def nginx_config(folder: Path, port: int, backends: list[str]) -> str:
    """The README's server block (plain HTTP on localhost), with a route cookie beside ``ip_hash``."""
    servers = " ".join(f"server {b};" for b in backends)
    routes = "\n".join(
        f"    upstream candidacy_{i} {{ server {b}; "
        + " ".join(f"server {o} backup;" for o in backends if o != b)
        + " }"
        for i, b in enumerate(backends)
    )
    cookie_map = " ".join(f'"{i}" candidacy_{i};' for i in range(len(backends)))
    return f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format routed '$remote_addr [$time_local] "$request" $status route=$cookie_{ROUTE_COOKIE} upstream=$upstream_addr';
    access_log {folder}/access.log routed;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    # The README's upstream: sticky by the browser's address.
    upstream candidacy {{ ip_hash; {servers} }}
    # Sticky by a cookie: each route's process first, the other as its backup.
{routes}
    map $cookie_{ROUTE_COOKIE} $candidacy_pool {{ default candidacy; {cookie_map} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://$candidacy_pool;  proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;  proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;  proxy_read_timeout 3600s;
        }}
    }}
}}
"""


def require_nginx() -> str:
    """Debian's nginx; skip outside CI when it is missing, fail in CI (where it must run)."""
    import pytest

    found = shutil.which("nginx") or (NGINX if os.path.exists(NGINX) else None)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed, and the team-load test must run in CI (.ci/run installs it)")
    pytest.skip("nginx is not installed (apt-get install nginx); team-load test skipped outside CI")


@contextmanager
def nginx_proxy(backends: list[str]) -> Iterator[tuple[str, Path]]:
    """nginx in front of ``backends`` (host:port), unprivileged, on a free port; yields its URL and folder."""
    binary = require_nginx()
    folder = Path(tempfile.mkdtemp(prefix="candidacy-nginx-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # an unprivileged process even when the tests run as root
        shutil.chown(folder, user="nobody", group="nogroup")
        as_user = ["runuser", "-u", "nobody", "--"]
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, port, backends))
    if as_user:
        shutil.chown(conf, user="nobody", group="nogroup")
    checked = subprocess.run(
        [*as_user, binary, "-t", "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode:
        raise RuntimeError(f"nginx refused its configuration: {checked.stderr}")
    process = subprocess.Popen(
        [*as_user, binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, folder / "error.log", timeout=30)  # through nginx, to a backend
        yield url, folder
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop of the master and its worker
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for name in ("access.log", "error.log"):
            if (folder / name).exists():
                shutil.copy(folder / name, ARTIFACTS / f"team-load-nginx-{name}")
        shutil.rmtree(folder, ignore_errors=True)


def seed_cases(database: str, count: int) -> list[int]:
    """Migrate the database (the first process, before any app starts) and create the shared cases."""
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(database, {cset.id: cset})
    who = Identity(name="Dr Load Test", role="Consultant", source="cli")
    ids = [store.create_case(cset.id, f"load-{i + 1:02d}", None, who) for i in range(count)]
    store.close()
    return ids


def app_env(database: str, data_dir: Path) -> dict[str, str]:
    """Personal mode on the shared PostgreSQL: one clinician's profile, read by both processes."""
    save_profile(data_dir, "Dr Load Test", "Consultant")
    return {"CANDIDACY_DATABASE_URL": database, "CANDIDACY_DATA_DIR": str(data_dir)}


# --- the sessions ------------------------------------------------------------------------------------


@dataclass
class Action:
    session: int
    route: int
    case_id: int
    kind: str  # "answer" or "note"
    item: str
    new: str  # as the audit trail writes it: a JSON value for an answer, the text for a note
    outcome: str = ""  # "acknowledged", "refused", "unknown", "silent" (drawn, not said, not shown)
    said: str = ""  # the page's message, when refused
    seconds: float = 0.0
    after_kill: bool = False


@dataclass
class Load:
    """The shared state of a run: every action, and the kill."""

    actions: list[Action] = field(default_factory=list)
    done: int = 0
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    restarts: int = 0
    killed_route: int = -1
    cases: int = 1
    errors: list[str] = field(default_factory=list)
    waiting: int = 0  # sessions at the kill's barrier, or ended early


def len_cases(load: Load) -> int:
    return load.cases


async def open_case(page: Any, base: str, case_id: int) -> None:
    from playwright.async_api import expect

    await page.goto(f"{base}/?case={case_id}", timeout=180_000)  # 20 pages load at once on a shared machine
    await expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible(timeout=180_000)
    await page.wait_for_function("() => " + PAGE_IDLE, timeout=180_000)


async def run_session(
    browser: Any,
    base: str,
    number: int,
    routes: int,
    case_id: int,
    items: tuple[str, ...],
    before_kill: int,
    after_kill: int,
    load: Load,
    seed: int,
) -> None:
    """One person: ``before_kill`` actions, then (once the kill is done) ``after_kill`` more."""
    route = (number // len_cases(load)) % routes  # the two sessions of a case on different processes
    rng = random.Random(seed * 1000 + number)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies([{"name": ROUTE_COOKIE, "value": str(route), "url": base}])
    page = await context.new_page()
    page.set_default_timeout(60_000)
    await page.add_init_script(RUN_OBSERVER + CONNECTION_OBSERVER)
    await open_case(page, base, case_id)
    lost = 0
    on_survivor = False  # whether this page was opened after the kill (so on the process left)
    try:
        for index in range(before_kill + after_kill):
            if index == before_kill:
                load.waiting += 1
                await load.killed.wait()
                if route == load.killed_route and not on_survivor:  # its server is gone: wait until the page saw it
                    await page.wait_for_function("() => window.__lost > 0", timeout=60_000)
            if await page.evaluate("() => window.__lost") > lost:  # the server went away meanwhile
                load.restarts += 1
                on_survivor = load.killed.is_set()
                await open_case(page, base, case_id)
                lost = 0
            recorded = len(load.actions)
            try:
                acted = await act(page, base, number, route, case_id, items, rng, load, index)
            except Exception as error:  # any failure of one action is recorded, then the session restarts
                shot = ARTIFACTS / f"team-load-error-s{number:02d}-a{index:02d}.png"
                with contextlib.suppress(Exception):
                    await page.screenshot(path=str(shot), full_page=True)
                load.errors.append(f"session {number} action {index}: {type(error).__name__}: {str(error)[:300]}")
                for action in load.actions[recorded:]:
                    if not action.outcome:
                        action.outcome, action.said = "unknown", f"error: {type(error).__name__}"
                acted = False
            if not acted or await page.evaluate("() => window.__lost") > lost:
                load.restarts += 1
                on_survivor = load.killed.is_set()
                await open_case(page, base, case_id)  # a new page: the session starts again on the other process
            lost = 0
    except Exception as error:  # a session that cannot go on (its page never came back) is said, not fatal
        load.errors.append(f"session {number} ended early: {type(error).__name__}: {str(error)[:300]}")
        load.waiting += 1
    finally:
        await context.close()


async def open_note(page: Any, crit: str, box: Any, load: Load) -> bool:
    """Open an item's note box (a run of its own, not the action measured); False when it did not
    open (the page lost its server, or never drew the box: the session then starts again)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    details = page.locator(f'.st-key-itb_pump-notes-{crit}:not([data-stale="true"]) details')
    for _ in range(3):
        if await page.evaluate("() => window.__lost"):
            return False
        await page.wait_for_function(IDLE_OR_LOST, arg=0, timeout=60_000)
        if await box.is_visible():
            return True
        if await details.count() and await details.get_attribute("open") is None:  # closed: open it
            await details.locator("summary").click()
        try:
            await box.wait_for(state="visible", timeout=30_000)
            return True
        except PlaywrightTimeout:  # the click met a page being redrawn: look again
            continue
    return False


async def act(
    page: Any,
    base: str,
    number: int,
    route: int,
    case_id: int,
    items: tuple[str, ...],
    rng: random.Random,
    load: Load,
    index: int,
) -> bool:
    """One action, recorded in ``load``; False when it could not be made (the page lost its server)."""
    crit = rng.choice(items)
    kind = "note" if rng.random() < 0.35 else "answer"
    base_item = page.locator(f'.st-key-itb_pump-answer-{crit}:not([data-stale="true"])')
    if kind == "note":
        box = page.locator(f'.st-key-itb_pump-note-{crit}:not([data-stale="true"]) textarea')
        if not await open_note(page, crit, box, load):
            return False
        text = f"s{number:02d} n{index:02d} " + " ".join(
            rng.choice(("tone", "spasms", "clinic", "letter")) for _ in range(3)
        )
        action = Action(number, route, case_id, "note", crit, text)
    else:
        await page.wait_for_function(IDLE_OR_LOST, arg=0, timeout=60_000)
        checked = base_item.locator('[role="radio"][aria-checked="true"]')
        shown = (await checked.inner_text()).strip() if await checked.count() else None
        value = rng.choice([v for v, label in LABELS.items() if label != shown])  # a change, never a clear
        action = Action(number, route, case_id, "answer", crit, f'"{value}"')
    await page.wait_for_function(IDLE_OR_LOST, arg=0, timeout=60_000)
    lost = int(await page.evaluate("() => window.__lost"))
    count = await page.evaluate(COUNT_SHOWN)
    action.after_kill = load.killed.is_set()
    load.actions.append(action)
    if lost or count != count:  # lost the server before acting, or no count drawn (NaN)
        action.outcome = "unknown"
        return False
    started = time.perf_counter()
    try:
        if kind == "note":
            await box.fill(action.new)
            await box.press("Tab")
        else:
            await base_item.get_by_role("radio", name=LABELS[value], exact=True).dispatch_event("click")
        handle = await page.wait_for_function(
            ANSWERED, arg={"count": count + 1, "lost": lost, "item": crit}, timeout=90_000
        )
        result = await handle.json_value()
    except Exception as error:  # the page died under the action (its process was killed)
        if not load.killed.is_set():
            raise
        action.outcome, action.said = "unknown", f"{type(error).__name__}"
        return False
    action.seconds = time.perf_counter() - started
    if result["state"] == "lost":
        action.outcome = "unknown"
        return False
    alerts = [a for a in result["alerts"] if a.startswith(REFUSED[0]) or any(r in a for r in REFUSED[1:])]
    if alerts:
        action.outcome, action.said = "refused", alerts[0]
    elif result["chosen"] == LABELS.get(value) if kind == "answer" else result["box"] == action.new:
        action.outcome = "acknowledged"
    else:  # drawn, nothing said against it, and yet not shown: a change the page dropped
        action.outcome = "silent"
        action.said = f"shows {result['chosen'] if kind == 'answer' else result['box']!r}; {result['alerts']}"
    load.done += 1
    return True


async def run_load(
    base: str,
    cases: list[int],
    sessions: int,
    routes: int,
    before_kill: int,
    after_kill: int,
    kill: Any,
    kill_after: int,
    seed: int,
) -> Load:
    """``sessions`` contexts of one headless Chromium, two per case; ``kill()`` once ``kill_after`` are done."""
    from playwright.async_api import async_playwright

    from .browser_support import chromium_path

    load = Load(cases=len(cases))

    async def killer() -> None:
        if kill is None:
            load.killed.set()
            return
        while load.done < kill_after and load.waiting < sessions:
            await asyncio.sleep(0.05)  # polling a count this process keeps (a condition, not a pause)
        kill()
        load.killed_route = 0
        load.killed.set()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(
                killer(),
                *(
                    run_session(
                        browser,
                        base,
                        n,
                        routes,
                        cases[n % len(cases)],
                        ITEMS[(n // len(cases)) % 2],
                        before_kill,
                        after_kill,
                        load,
                        seed,
                    )
                    for n in range(sessions)
                ),
            )
        finally:
            await browser.close()
    return load


# --- the ground truth --------------------------------------------------------------------------------


@dataclass
class Tally:
    acknowledged: int
    refused: int
    unknown: int
    silent: int
    stored: int
    lost: list[str]  # acknowledged, not stored
    stored_refused: list[str]  # said refused (or never acted on), stored all the same
    unexplained: list[str]  # stored rows no action accounts for


def tally(database: str, load: Load, cases: list[int]) -> Tally:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(database, {cset.id: cset})
    lost: list[str] = []
    stored_refused: list[str] = []
    unexplained: list[str] = []
    stored_total = 0
    for case_id in cases:
        rows = Counter((e.action, e.item, e.new) for e in store.audit_trail(case_id) if e.action in ("answer", "note"))
        stored_total += sum(rows.values())
        mine = [a for a in load.actions if a.case_id == case_id]
        acked = Counter((a.kind, a.item, a.new) for a in mine if a.outcome == "acknowledged")
        unknown = Counter((a.kind, a.item, a.new) for a in mine if a.outcome in ("unknown", "silent"))
        refused = Counter((a.kind, a.item, a.new) for a in mine if a.outcome == "refused")
        for key in acked.keys() | rows.keys() | refused.keys():
            what = f"case {case_id} {key[0]} {key[1]} {key[2]!r}"
            if rows[key] < acked[key]:
                lost.append(f"{what}: acknowledged {acked[key]}, stored {rows[key]}")
            elif rows[key] > acked[key] + unknown[key]:
                (stored_refused if refused[key] else unexplained).append(
                    f"{what}: stored {rows[key]}, acknowledged {acked[key]}, in flight at the kill {unknown[key]}"
                )
    store.close()
    outcomes = Counter(a.outcome for a in load.actions)
    return Tally(
        outcomes["acknowledged"],
        outcomes["refused"],
        outcomes["unknown"],
        outcomes["silent"],
        stored_total,
        lost,
        stored_refused,
        unexplained,
    )


def trail(database: str, case_id: int) -> list[Any]:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(database, {cset.id: cset})
    try:
        return list(store.audit_trail(case_id))
    finally:
        store.close()


def verify(database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "candidacy", "cases", "verify"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
        env={**os.environ, "CANDIDACY_DATABASE_URL": database},
    )


def routed(folder_log: Path) -> Counter[tuple[str, str]]:
    """(route cookie, upstream) pairs of nginx's access log: which process served each route."""
    pairs: Counter[tuple[str, str]] = Counter()
    if folder_log.exists():
        for line in folder_log.read_text().splitlines():
            found = re.search(r"route=(\S*) upstream=(.*)$", line)
            if found:
                pairs[(found.group(1), found.group(2))] += 1
    return pairs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
