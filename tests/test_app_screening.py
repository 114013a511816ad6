"""The Screening test page through AppTest: plan, measurements stored as typed, result, confirmation."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from candidacy.identity import Identity
from candidacy.store import CaseStore

from .conftest import ROOT
from .store_fixtures import app_store as _db

APP = str(ROOT / "app.py")
ME = Identity(name="Dr A. Example", role="Consultant", source="personal")


def _page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("views/screening.py").run()
    assert not app.exception
    return app


def _new_worksheet(label: str) -> tuple[CaseStore, int, AppTest, int]:
    """A stored case, the Screening page with the clinician's profile, and a new worksheet for the case."""
    db = _db()
    case_id = db.create_case("itb_pump", label, None, ME)
    app = _page()
    app.text_input(key="profile-name").input("Dr A. Example")
    app.text_input(key="profile-role").input("Consultant")
    app.button(key="profile-save").click().run()
    app.selectbox(key="screening-case").set_value(case_id).run()
    app.button(key="screening-new").click().run()
    assert not app.exception
    return db, case_id, app, app.session_state["screening-worksheet"]


def _cells(column: object) -> list[object]:
    """A grid column as plain values, an empty cell as None."""
    return [value if isinstance(value, str) else None for value in column]  # type: ignore[attr-defined]


def _type(app: AppTest, key: str, rows: dict[int, dict[str, object]]) -> None:
    """Type cells into a grid as the browser reports them: the editor's edit state, then a run."""
    app.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    app.run()


def test_plan_measure_read_and_confirm_in_the_app() -> None:
    db, case_id, app, worksheet = _new_worksheet("SCR-1")
    prefix = f"scr{worksheet}"
    app.radio(key=f"{prefix}-definition").set_value("mean_lower_limb_ashworth_1").run()
    app.multiselect(key=f"{prefix}-groups").set_value(["hip_adductors", "knee_extensors"]).run()
    app.button(key=f"{prefix}-prepare").click().run()
    assert not app.exception, app.exception
    tone = (
        "tone.hip_adductors.left",
        "tone.hip_adductors.right",
        "tone.knee_extensors.left",
        "tone.knee_extensors.right",
    )
    grid = app.data_editor(key=f"{prefix}-d0-reading-r1-v0")  # before the dose: the baseline row only
    assert list(grid.value["time"]) == ["Baseline"]
    _type(app, f"{prefix}-d0-reading-r1-v0", {0: {**dict.fromkeys(tone, "3"), "function.standing": "unaided"}})
    app.button(key=f"{prefix}-d0-given").click().run()
    rows = {1: "2", 2: "1", 3: "1", 4: "2", 5: "3"}  # 1, 2, 4, 6 and 8 h
    edits = {
        row: {**dict.fromkeys(tone, value), "function.standing": "unable" if row == 2 else "unaided"}
        for row, value in rows.items()
    }
    _type(app, f"{prefix}-d0-reading-r6-v0", edits)
    assert not app.exception, app.exception
    assert list(app.data_editor(key=f"{prefix}-d0-reading-r6-v0").value["time"])[:3] == ["Baseline", "1 h", "2 h"]
    from candidacy.store.screening import ScreeningStore

    from .screening_support import protocol

    proto = protocol()
    stored = ScreeningStore(db, {proto.id: proto}).get(worksheet)
    assert stored.worksheet.doses[0].observations[2].tone["hip_adductors"]["left"] == "1"
    assert stored.worksheet.doses[0].observations[0].by.name == "Dr A. Example"
    text = " ".join(m.value for m in app.markdown)
    assert "fall of 2.0" in text  # 3.0 at baseline to 1.0 at 2 h
    warnings = " ".join(w.value for w in app.warning)
    assert "Function lost: Standing: stands without help at baseline, cannot stand at 2 h." in warnings
    assert app.radio(key=f"{prefix}-outcome-tone_reduced_function_lost").value == "tone_reduced_function_lost"
    app.button(key=f"{prefix}-confirm").click().run()
    assert not app.exception
    answers = db.get(case_id).answers.answers
    assert answers["screening_test"].value == "tone_only"
    assert f"From screening worksheet {worksheet}" in answers["screening_test"].note
    assert any("Confirmed by Dr A. Example" in s.value for s in app.success)
    next_step = db.get(case_id).row.next_step
    assert next_step and any(next_step in m.value for m in app.markdown)  # the pathway's next step follows


def test_a_25_microgram_first_dose_is_planned_with_its_reason() -> None:
    """The low first dose the checklist suggests for walkers: choosing it asks why, and the two are stored
    together; nothing half-planned is stored, and nothing is refused for a reason the page never asked."""
    from candidacy.store.screening import ScreeningStore

    from .screening_support import protocol

    db, _case_id, app, worksheet = _new_worksheet("SCR-25")
    prefix = f"scr{worksheet}"
    proto = protocol()
    stored = ScreeningStore(db, {proto.id: proto})
    app.radio(key=f"{prefix}-start").set_value(25).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert stored.get(worksheet).worksheet.plan.start_dose == 50  # not stored without its reason
    reason = app.selectbox(key=f"{prefix}-low-reason")
    assert reason.value is None and "Relies on tone for standing, walking or transfers" in reason.options
    assert any("needs its reason" in c.value for c in app.caption)
    reason.set_value("relies_on_tone").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    plan = stored.get(worksheet).worksheet.plan
    assert (plan.start_dose, plan.low_start_reason) == (25, "relies_on_tone")
    assert not any("needs its reason" in c.value for c in app.caption)
    app.radio(key=f"{prefix}-start").set_value(50).run()  # back to the usual first dose: the reason goes with it
    plan = stored.get(worksheet).worksheet.plan
    assert (plan.start_dose, plan.low_start_reason) == (50, None)


def test_a_correction_on_the_grid_needs_a_reason_and_a_second_writer_is_told() -> None:
    from candidacy.screening.ward import set_value
    from candidacy.store.screening import ScreeningStore

    from .screening_support import protocol

    db, _case_id, app, worksheet = _new_worksheet("SCR-FIX")
    prefix = f"scr{worksheet}"
    proto = protocol()
    sheets = ScreeningStore(db, {proto.id: proto})
    app.radio(key=f"{prefix}-definition").set_value("mean_lower_limb_ashworth_1").run()
    app.button(key=f"{prefix}-prepare").click().run()
    _type(app, f"{prefix}-d0-reading-r1-v0", {0: {"spasms": "3"}})
    app.button(key=f"{prefix}-d0-given").click().run()
    _type(app, f"{prefix}-d0-reading-r6-v0", {2: {"spasms": "1"}})
    # the baseline once the dose is given: refused without a reason, said, and the grid drawn from the store
    _type(app, f"{prefix}-d0-reading-r6-v0", {0: {"spasms": "2"}, 2: {"spasms": "1"}})
    assert any("a correction needs a reason" in e.value for e in app.error), [e.value for e in app.error]
    assert sheets.get(worksheet).worksheet.doses[0].at_hour(0).spasms == "3"  # type: ignore[union-attr]
    fresh = app.data_editor(key=f"{prefix}-d0-reading-r6-v1")
    assert _cells(fresh.value["spasms"])[:3] == ["3", None, "1"]
    app.text_input(key=f"{prefix}-d0-reason").input("baseline typed from the wrong sheet").run()
    _type(app, f"{prefix}-d0-reading-r6-v1", {0: {"spasms": "2"}})
    base = sheets.get(worksheet).worksheet.doses[0].at_hour(0)
    assert base is not None and base.spasms == "2"
    assert [(c.old, c.new, c.reason) for c in base.corrections] == [("3", "2", "baseline typed from the wrong sheet")]
    # another tablet stores the 4 h value after this screen drew it empty: this screen's value is refused
    stored = sheets.get(worksheet)
    other = set_value(proto, stored.worksheet, 0, 4, "spasms", "0", ME, stored.worksheet.doses[0].given_at)  # type: ignore[arg-type]
    sheets.save(worksheet, stored.lock_version, other, ME)
    _type(app, f"{prefix}-d0-reading-r6-v1", {0: {"spasms": "2"}, 3: {"spasms": "1"}})
    assert any("by someone else" in e.value and "nothing was overwritten" in e.value for e in app.error)
    assert sheets.get(worksheet).worksheet.doses[0].at_hour(4).spasms == "0"  # type: ignore[union-attr]
    assert _cells(app.data_editor(key=f"{prefix}-d0-reading-r6-v2").value["spasms"])[3] == "0"
