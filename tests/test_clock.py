"""One clock: what it reads, that nothing else reads the time, and the date-sensitive paths at dates
that catch an off-by-one day: a meeting today and a past one, the turn of a year, a leap day and
both daylight-saving changes (the service's zone is ahead of UTC there, so a UTC date would be wrong).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from candidacy import clock
from candidacy.errors import SettingsError
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet, CaseHeader
from candidacy.store import CaseStore
from candidacy.store.screening import ScreeningStore

from .clock_support import at
from .conftest import ROOT
from .screening_support import protocol
from .store_fixtures import app_store

APP = str(ROOT / "app.py")
REVIEWER = Identity(name="Dr R", role="Consultant", source="personal")

#: name -> (instant, the service's zone, the local date there)
MOMENTS = {
    "an ordinary morning": (dt.datetime(2027, 5, 12, 8, 15, tzinfo=dt.UTC), "Europe/London", dt.date(2027, 5, 12)),
    "new year's eve, already new year here": (
        dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
        "Europe/Berlin",
        dt.date(2027, 1, 1),
    ),
    "a leap day": (dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC), "Europe/London", dt.date(2028, 2, 29)),
    "the night after clocks go forward": (
        dt.datetime(2027, 3, 28, 23, 30, tzinfo=dt.UTC),
        "Europe/London",
        dt.date(2027, 3, 29),
    ),
    "the night clocks go back": (
        dt.datetime(2027, 10, 30, 23, 30, tzinfo=dt.UTC),
        "Europe/London",
        dt.date(2027, 10, 31),
    ),
    "late evening west of UTC": (
        dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC),
        "America/New_York",
        dt.date(2026, 12, 31),
    ),
}
moments = pytest.mark.parametrize(("instant", "zone", "local_day"), MOMENTS.values(), ids=MOMENTS.keys())


# -- the clock itself ------------------------------------------------------------------------------


@moments
def test_today_is_the_date_in_the_services_zone(
    monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str, local_day: dt.date
) -> None:
    at(monkeypatch, instant, zone)
    assert clock.now() == instant
    assert clock.today() == local_day
    assert clock.local(instant).utcoffset() == instant.astimezone(ZoneInfo(zone)).utcoffset()


def test_a_set_instant_in_another_offset_is_the_same_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, "2027-03-29T01:30:00+02:00")
    assert clock.now() == dt.datetime(2027, 3, 28, 23, 30, tzinfo=dt.UTC)
    assert clock.now().tzinfo == dt.UTC


def test_unset_the_clock_is_the_system_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.NOW_VARIABLE)
    before = dt.datetime.now(dt.UTC)
    assert before <= clock.now() <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("CANDIDACY_NOW", "2026-12-03", "CANDIDACY_NOW: '2026-12-03' is not an instant with its offset"),
        ("CANDIDACY_NOW", "2026-12-03T09:00:00", "is not an instant with its offset"),  # no offset: ambiguous
        ("CANDIDACY_NOW", "yesterday", "CANDIDACY_NOW: 'yesterday' is not an instant"),
        ("CANDIDACY_TIMEZONE", "Mars/Olympus", "CANDIDACY_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("CANDIDACY_TIMEZONE", "../../etc/passwd", "is not an IANA time zone"),
    ],
)
def test_a_bad_clock_setting_is_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=re.escape(said)):
        clock.today()


def test_nothing_else_reads_the_time() -> None:
    """Every now and today comes from candidacy.clock, so that one setting moves them all."""
    reading = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|datetime\.today|time\.time|localtime)\(")
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "src").rglob("*.py"))]:
        if path.name == "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if reading.search(line) or re.search(r"\.astimezone\(\)", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# -- the date-sensitive paths at each moment ---------------------------------------------------------


def _session() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def _profiled(app: AppTest) -> None:
    app.text_input(key="profile-name").input(REVIEWER.name)
    app.text_input(key="profile-role").input(REVIEWER.role)
    app.button(key="profile-save").click().run()


def _case(store: CaseStore, label: str, day: dt.date) -> int:
    case_id = store.create_case("itb_pump", label, day, REVIEWER)
    return case_id


def _case_and_session(label: str, day: dt.date) -> tuple[CaseStore, int, AppTest]:
    """A case stored on ``day`` and a session of the app with the reviewer's profile (the clock already set)."""
    store = app_store()
    case_id = _case(store, label, day)
    app = _session()
    _profiled(app)
    return store, case_id, app


@moments
def test_the_meeting_page_opens_on_todays_meeting_then_on_the_latest_past_one(
    monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str, local_day: dt.date
) -> None:
    at(monkeypatch, instant, zone)
    store = app_store()
    yesterday, week_ago = local_day - dt.timedelta(days=1), local_day - dt.timedelta(days=7)
    _case(store, "Past-01", yesterday)
    _case(store, "Older-01", week_ago)
    app = _session()
    app.switch_page("views/meeting.py").run()
    assert app.selectbox(key="meeting-date").value == yesterday  # no meeting to come: the latest one
    _case(store, "Today-01", local_day)
    _case(store, "Next-01", local_day + dt.timedelta(days=7))
    app = _session()
    app.switch_page("views/meeting.py").run()
    assert not app.exception
    assert app.selectbox(key="meeting-date").value == local_day  # today's meeting is the next one
    assert any(s.value.startswith(f"Agenda, {local_day.isoformat()}: 1 case") for s in app.subheader)


@moments
def test_the_cases_filter_lists_the_days_cases(
    monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str, local_day: dt.date
) -> None:
    at(monkeypatch, instant, zone)
    store = app_store()
    _case(store, "Today-01", local_day)
    _case(store, "Yesterday-01", local_day - dt.timedelta(days=1))
    assert [r.label for r in store.list_cases(meeting_date=local_day)] == ["Today-01"]
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["date"] = local_day.isoformat()
    app.run()
    app.switch_page("views/cases.py").run()
    assert not app.exception
    assert app.date_input(key="filter-meeting").value == local_day
    listed = " ".join(m.value for m in app.markdown)
    assert "Today-01" in listed and "Yesterday-01" not in listed


@moments
def test_audit_decision_and_sign_off_carry_the_clocks_time(
    monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str, local_day: dt.date
) -> None:
    at(monkeypatch, instant, zone)
    store, case_id, app = _case_and_session("Signed-01", local_day)
    app.query_params["case"] = str(case_id)
    app.session_state["decision-form"] = True  # the team's decision form, opened
    app.run()
    assert not app.exception
    assert app.date_input(key="decision-date").value == local_day  # the decision's date defaults to today here
    app.selectbox(key="decision-outcome").set_value("other")
    app.text_area(key="decision-reasons").input("to be discussed with the family")
    app.button(key="case-decide").click().run()
    assert not app.exception
    decision = store.get(case_id).decision
    assert decision is not None and decision.decided_on == local_day
    lock = store.get(case_id).row.lock_version
    lock = store.mark_ready(case_id, lock, REVIEWER)
    gaps = [criterion for criterion, _ in store.gaps(case_id)]
    store.review(case_id, lock, REVIEWER, "", gaps)
    sign = store.get(case_id).sign_off
    assert sign is not None and sign.signed_at == instant
    assert sign.signed_at_local == instant.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    assert sign.signed_at_local.startswith(local_day.isoformat())
    assert {entry.at for entry in store.audit_trail(case_id)} == {instant}
    record = store.record(case_id)
    assert record.case.meeting_date == local_day


@moments
def test_a_dose_given_now_is_stored_at_the_clocks_time(
    monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str, local_day: dt.date
) -> None:
    at(monkeypatch, instant, zone)
    store, case_id, app = _case_and_session("Dose-01", local_day)
    app.switch_page("views/screening.py").run()
    app.selectbox(key="screening-case").set_value(case_id).run()
    app.button(key="screening-new").click().run()
    worksheet = app.session_state["screening-worksheet"]
    prefix = f"scr{worksheet}"
    app.radio(key=f"{prefix}-definition").set_value("mean_lower_limb_ashworth_1").run()
    app.multiselect(key=f"{prefix}-groups").set_value(["hip_adductors"]).run()
    app.button(key=f"{prefix}-prepare").click().run()
    app.button(key=f"{prefix}-d0-given").click().run()
    assert not app.exception, app.exception
    proto = protocol()
    stored = ScreeningStore(store, {proto.id: proto}).get(worksheet)
    assert stored.worksheet.doses[0].given_at == instant
    assert stored.worksheet.plan.chosen_at == instant
    assert {entry.at for entry in store.audit_trail(case_id)} == {instant}


def test_the_answers_file_header_keeps_its_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case header's dates are calendar dates: the same whatever the clock says when it is read."""
    header = CaseHeader(label="H-1", meeting_date=dt.date(2028, 2, 29), assessed_on=dt.date(2027, 12, 31))
    answers = AnswerSet(criteria="itb_pump", case=header)
    for instant, zone, _ in MOMENTS.values():
        at(monkeypatch, instant, zone)
        again = AnswerSet.model_validate_json(answers.model_dump_json())
        assert again.case is not None and again.case.meeting_date == dt.date(2028, 2, 29)


# -- the whole process under another year ---------------------------------------------------------------


DATE_SENSITIVE = (
    "test_the_meeting_page_opens_on_todays_meeting_then_on_the_latest_past_one",
    "test_the_cases_filter_lists_the_days_cases",
    "test_audit_decision_and_sign_off_carry_the_clocks_time",
    "test_a_dose_given_now_is_stored_at_the_clocks_time",
)
UNDER_FAKETIME = ("new year's eve, already new year here", "late evening west of UTC")


@pytest.mark.skipif(os.environ.get("CANDIDACY_UNDER_FAKETIME") == "1", reason="this is the run it starts")
def test_the_date_sensitive_tests_pass_with_the_process_clock_in_another_year(tmp_path: Path) -> None:
    """Under Debian's faketime the process's own clock says 2031: the tests set theirs and pass."""
    faketime = shutil.which("faketime")
    if faketime is None:
        if os.environ.get("CI") == "true":
            pytest.fail("faketime is not installed, and this test must run in CI (.ci/run installs it)")
        pytest.skip("faketime is not installed (apt-get install faketime)")
    # The date-sensitive paths, each at two moments whose local date is not the UTC date, one east and
    # one west of UTC, in years other than the process clock's: a path that read the process clock
    # instead of the set one would show 2031 at either. (All six moments run in the suite itself; under
    # faketime the question is only whether anything reads the process clock.)
    assert set(UNDER_FAKETIME) <= set(MOMENTS)
    here = "tests/test_clock.py::"
    chosen = [
        f"{here}test_today_is_the_date_in_the_services_zone",
        *(f"{here}{test}[{moment}]" for test in DATE_SENSITIVE for moment in UNDER_FAKETIME),
        "tests/test_app_meeting.py::test_meeting_page_offers_the_dates_that_have_cases",
    ]
    expected = len(MOMENTS) + len(DATE_SENSITIVE) * len(UNDER_FAKETIME) + 1
    done = subprocess.run(
        [
            faketime,
            "2031-07-15 10:00:00",
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *chosen,
        ],
        cwd=ROOT,
        env={**os.environ, "CANDIDACY_UNDER_FAKETIME": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(rf"\b{expected} passed", done.stdout), done.stdout[-2000:]
    probe = subprocess.run(
        [faketime, "2031-07-15 10:00:00", sys.executable, "-c", "import datetime; print(datetime.date.today().year)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "2031"  # the child really ran in another year
