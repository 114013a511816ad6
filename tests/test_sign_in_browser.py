"""Who is acting, in a real browser (Debian's Chromium, Playwright) against ``streamlit run``.

Personal mode: the name and role are asked once and are still there after a reload and a server
restart. Team mode: PostgreSQL, and a real OpenID Connect sign-in through Streamlit's ``st.login`` at a
local provider (oidc-provider-mock on 127.0.0.1); a reviewer signs off, an assessor cannot; two app
servers on one database catch a conflicting edit and leave every audit chain valid.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candidacy import load_criteria
from candidacy.store import CaseStore

from .browser_pages import choose, option
from .browser_support import ARTIFACTS, IDLE_NOW, ROOT, chromium, chromium_path, streamlit_server
from .conftest import ITB
from .oidc_support import ASSESSOR, REVIEWER, Person, oidc_provider, team_env, write_secrets
from .pg_support import fresh_database, require_postgres

pytestmark = pytest.mark.browser

TIMEOUT = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # a shared 2-core machine: wait for conditions, generously
    with chromium() as launched:
        yield launched


def new_page(browser: Any) -> Any:
    """A fresh browser profile (its own cookies): one person at one computer."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def wait_idle(page: Any) -> None:
    """Wait until no run is under way and no element of an earlier run is left on the page."""
    page.wait_for_function(IDLE_NOW, timeout=60_000)


# --- personal mode ----------------------------------------------------------------------------------


def test_personal_name_survives_reload_and_server_restart(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    chromium_path()
    env = {"CANDIDACY_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}", "CANDIDACY_DATA_DIR": str(tmp_path)}
    with streamlit_server(env) as url:
        page = new_page(browser)
        page.goto(url)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Who is assessing?")).to_be_visible()
        sidebar.get_by_label("Your name").fill("Dr Kim Lee")
        sidebar.get_by_label("Your role").fill("Consultant in rehabilitation medicine")
        sidebar.get_by_label("Your role").press("Enter")  # the keyboard is enough
        expect(sidebar.get_by_text("Dr Kim Lee", exact=True)).to_be_visible()
        page.reload()
        expect(sidebar.get_by_text("Dr Kim Lee", exact=True)).to_be_visible()
        expect(sidebar.get_by_text("Who is assessing?")).to_have_count(0)
        page.context.close()
    with streamlit_server(env) as url:  # the server was stopped and started again
        page = new_page(browser)
        page.goto(url)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Dr Kim Lee", exact=True)).to_be_visible()
        page.get_by_role("button", name="Save as a stored case").click()
        expect(page.get_by_text("Stored case #1")).to_be_visible()
        page.context.close()
    cset = load_criteria(ITB)
    who = {e.who() for e in CaseStore(env["CANDIDACY_DATABASE_URL"], {cset.id: cset}).audit_trail(1)}
    assert who == {"Dr Kim Lee (Consultant in rehabilitation medicine), personal"}


# --- team mode --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def team(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database on the session's PostgreSQL, the local OpenID provider, and the team-mode environment."""
    chromium_path()
    require_postgres()
    server = request.getfixturevalue("pg_server")  # started only once Chromium and PostgreSQL are known present
    folder = tmp_path_factory.mktemp("team")
    with oidc_provider() as issuer:
        database = fresh_database(server, "team")
        env = team_env(database, write_secrets(folder / "secrets", issuer), folder / "data")
        env["CANDIDACY_REQUIRE_DISTINCT_REVIEWER"] = "true"
        yield database, env


@pytest.fixture(scope="module")
def app_server(team: tuple[str, dict[str, str]]) -> Iterator[str]:
    with streamlit_server(team[1]) as url:
        yield url


def sign_in(page: Any, url: str, person: Person) -> None:
    """The real flow: the app's sign-in button, the provider's page, back to the app with a cookie."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()  # the provider's own page
    page.get_by_role("button", name=person.sub, exact=True).click()
    expect(page.get_by_test_id("stSidebar").get_by_text(person.name)).to_be_visible()


def create_case(page: Any, label: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    page.get_by_label("Case label (pseudonym)").fill(label)
    page.get_by_role("button", name="Create and open").click()
    expect(page.get_by_text(label).first).to_be_visible()
    wait_idle(page)


def open_case(page: Any, case_id: int) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Cases").click()
    page.locator(f".st-key-case-row-{case_id}").get_by_role("button", name="Open").click()
    expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    wait_idle(page)


def store(database: str) -> CaseStore:
    cset = load_criteria(ITB)
    return CaseStore(database, {cset.id: cset})


def test_reviewer_signs_off_through_the_local_provider_and_an_assessor_cannot(
    team: tuple[str, dict[str, str]], app_server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    database = team[0]
    assessor = new_page(browser)
    sign_in(assessor, app_server, ASSESSOR)
    create_case(assessor, "Team-case-01")
    case_id = store(database).list_cases()[0].id
    choose(assessor, "active_infection", "No")
    assessor.get_by_role("button", name="Mark ready for review").click()
    expect(assessor.get_by_text("Dr Asa Sessor is not a reviewer: only a reviewer can sign off.")).to_be_visible()
    expect(assessor.get_by_role("button", name="Sign off: freeze this revision")).to_have_count(0)
    assessor.screenshot(path=str(ARTIFACTS / "team-assessor-cannot-sign.png"))

    reviewer = new_page(browser)
    sign_in(reviewer, app_server, REVIEWER)
    open_case(reviewer, case_id)
    expect(reviewer.get_by_text("You sign as Dr Rhea Viewer (assessor, reviewer), signed in")).to_be_visible()
    reviewer.get_by_text("I have read the", exact=False).click()  # acknowledge the unanswered items
    reviewer.get_by_role("button", name="Sign off: freeze this revision").click()
    expect(reviewer.get_by_text("Signed off by Dr Rhea Viewer").first).to_be_visible()
    reviewer.screenshot(path=str(ARTIFACTS / "team-reviewer-signed.png"))

    detail = store(database).get(case_id)
    assert detail.frozen and detail.sign_off is not None
    assert (detail.sign_off.reviewer, detail.sign_off.source) == ("Dr Rhea Viewer", "oidc")
    who = {e.who() for e in store(database).audit_trail(case_id)}
    assert who == {
        "Dr Asa Sessor (assessor), signed in as asa.sessor@hospital.test",
        "Dr Rhea Viewer (assessor, reviewer), signed in as rhea.viewer@hospital.test",
    }
    for page in (assessor, reviewer):
        page.context.close()


def test_two_app_servers_on_one_postgresql_catch_a_conflict(
    team: tuple[str, dict[str, str]], app_server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    database, env = team
    with streamlit_server(env) as second_server:
        reviewer = new_page(browser)
        sign_in(reviewer, app_server, REVIEWER)
        create_case(reviewer, "Shared-case-02")
        case_id = max(c.id for c in store(database).list_cases())
        assessor = new_page(browser)
        sign_in(assessor, second_server, ASSESSOR)  # the other process: nothing shared but PostgreSQL
        open_case(assessor, case_id)

        choose(reviewer, "active_infection", "Yes")
        option(assessor, "active_infection", "No").click()  # made on a version that is no longer current
        expect(assessor.get_by_text("changed by someone else since you opened it")).to_be_visible()
        expect(assessor.get_by_text("Dr Rhea Viewer (assessor, reviewer), signed in").first).to_be_visible()
        expect(option(assessor, "active_infection", "Yes")).to_have_attribute("aria-checked", "true")  # reloaded
        assessor.screenshot(path=str(ARTIFACTS / "two-servers-conflict.png"))
        choose(assessor, "active_infection", "No")  # now on the current version: accepted
        for page in (assessor, reviewer):
            page.context.close()

    answers = store(database).get(case_id).answers.answers
    assert answers["active_infection"].value == "no"
    trail = [(e.who().split(" (")[0], e.action, e.item, e.new) for e in store(database).audit_trail(case_id)]
    assert ("Dr Rhea Viewer", "answer", "active_infection", '"yes"') in trail
    assert ("Dr Asa Sessor", "answer", "active_infection", '"no"') in trail
    assert sum(1 for t in trail if t[2] == "active_infection") == 2  # the refused change left no row
    verify = subprocess.run(
        [sys.executable, "-m", "candidacy", "cases", "verify"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CANDIDACY_DATABASE_URL": database},
        cwd=ROOT,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    cases = len(store(database).list_cases())
    assert verify.stdout.startswith(f"ok: {cases} cases"), verify.stdout
