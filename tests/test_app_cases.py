"""Stored cases through the app (AppTest): save, autosave, reopen in a new session, review, conflict, meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import TextArea

from candidacy.identity import Identity

from .conftest import ROOT
from .store_fixtures import app_store as db

APP = str(ROOT / "app.py")


def k(role: str, name: str = "") -> str:
    return f"itb_pump-{role}-{name}" if name else f"itb_pump-{role}"


def note(app: AppTest, crit: str) -> TextArea:
    """The note box of an item, opening its "note" control first when it is closed."""
    if not any(t.key == k("note", crit) for t in app.text_area):
        app.session_state[k("notes", crit)] = True
        app.run()
    return app.text_area(key=k("note", crit))


def new_session() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


DR_A = Identity("Dr A", "Specialty registrar", "personal")


def give_name(app: AppTest, name: str = "Dr A", role: str = "Consultant") -> None:
    """The personal profile, asked once in the sidebar before anything is saved."""
    app.text_input(key="profile-name").input(name)
    app.text_input(key="profile-role").input(role)
    app.button(key="profile-save").click().run()
    assert not app.exception


def open_from_cases_page(app: AppTest, case_id: int) -> None:
    app.switch_page("views/cases.py").run()
    app.button(key=f"open-{case_id}").click().run()
    app.switch_page("views/assess.py").run()
    assert not app.exception


def panel(app: AppTest) -> str:
    return " ".join(m.value for m in app.markdown if "Stored case" in m.value or "Unsaved draft" in m.value)


def test_save_a_draft_then_every_change_autosaves() -> None:
    app = new_session()
    give_name(app)
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    assert "Unsaved draft" in panel(app)
    app.button(key="case-save-new").click().run()
    assert "Stored case #1" in panel(app)
    app.button_group(key=k("answer", "ambulatory")).set_value("no").run()
    note(app, "ambulatory").input("wheelchair since 2019").run()
    stored = db().get(1).answers.answers
    assert stored["cause"].value == "stroke"
    assert (stored["ambulatory"].value, stored["ambulatory"].note) == ("no", "wheelchair since 2019")
    actors = {e.who() for e in db().audit_trail(1)}
    assert actors == {"Dr A (Consultant), personal"}

    # A new browser session (the old one closed) finds everything on the Cases page.
    again = new_session()
    open_from_cases_page(again, 1)
    assert again.button_group(key=k("answer", "cause")).value == "stroke"
    assert note(again, "ambulatory").value == "wheelchair since 2019"


def test_create_from_cases_page_and_list_summary() -> None:
    app = new_session()
    give_name(app)
    app.switch_page("views/cases.py").run()
    app.text_input(key="new-case-label").input("SCI-referral-11")
    app.date_input(key="new-case-meeting").set_value(dt.date(2026, 12, 3))
    app.button(key="new-case-create").click().run()
    assert not app.exception
    assert app.title[0].value == "Assess a case"  # the new case opens straight away
    app.switch_page("views/assess.py").run()  # AppTest keeps its own page pointer: follow the switch
    assert "Stored case #1" in panel(app)
    app.button_group(key=k("answer", "active_infection")).set_value("yes").run()
    app.switch_page("views/cases.py").run()
    lines = [m.value for m in app.markdown if "#1 " in m.value]
    assert lines and "1 contraindication(s)" in lines[0] and "SCI-referral-11" in lines[0]


def test_review_freezes_and_a_new_revision_needs_a_reason() -> None:
    app = new_session()
    give_name(app, "Dr R", "Consultant neurologist")
    app.button(key="case-save-new").click().run()
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    app.button(key="case-ready").click().run()
    assert any("applicable item(s) are unanswered" in w.value for w in app.warning)
    app.text_area(key="review-comment").input("gaps to be filled at clinic")
    app.button(key="case-review").click().run()
    assert any("Answer them, or acknowledge each gap explicitly" in e.value for e in app.error)
    assert db().get(1).row.status == "ready"  # refused: nothing signed
    app.checkbox(key="review-acknowledge").check().run()
    app.button(key="case-review").click().run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    signed = " ".join(s.value for s in app.success)
    assert "Signed off by Dr R" in signed and "Consultant neurologist" in signed and "Revision hash" in signed
    assert "acknowledged: Overall severity of spasticity" in signed
    assert "signed and frozen: read-only" in panel(app) and "every change is saved" not in panel(app)
    # The signed revision is read as its record, not as greyed widgets.
    assert not app.button_group  # no answer widgets for a frozen revision
    record = " ".join(m.value for m in app.markdown)
    assert "Reasoning record" in record and "**Reviewer:** Dr R" in record
    app.button(key="case-revise").click().run()
    assert any("needs a reason" in e.value for e in app.error)
    app.text_input(key="revise-reason").input("new MRI report")
    app.button(key="case-revise").click().run()
    assert not app.button_group(key=k("answer", "cause")).disabled
    assert "revision 2" in panel(app)
    # Revision 1 stays readable, with its sign-off, while revision 2 is being edited.
    assert not app.selectbox  # the choice of a revision is drawn only while its expander is open
    app.session_state["revisions"] = True
    app.run()
    app.selectbox(key="read-revision").set_value(1).run()
    assert any("Signed off by Dr R" in s.value for s in app.success)
    assert db().get(1, 1).sign_off is not None


def test_the_closed_decision_form_keeps_what_was_typed() -> None:
    """The form's fields are drawn only while it is open; what was typed is there again when it reopens."""
    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    app.session_state["decision-form"] = True
    app.run()
    app.selectbox(key="decision-outcome").set_value("deferred")
    app.text_area(key="decision-reasons").input("the family asked for time").run()
    app.session_state["decision-form"] = False  # closed, then the page reruns with a change elsewhere
    app.run()
    assert not [w for w in app.text_area if w.key == "decision-reasons"]
    app.button_group(key=k("answer", "active_infection")).set_value("no").run()
    app.session_state["decision-form"] = True
    app.run()
    assert not app.exception
    assert app.text_area(key="decision-reasons").value == "the family asked for time"
    assert app.selectbox(key="decision-outcome").value == "deferred"
    assert not [w for w in app.warning if "Session State" in w.value]  # no warning about the kept values


def test_team_decision_needs_reasons_when_it_departs_from_the_criteria() -> None:
    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    app.button_group(key=k("answer", "active_infection")).set_value("yes").run()
    assert not [w for w in app.selectbox if w.key == "decision-outcome"]  # drawn when the form opens
    app.session_state["decision-form"] = True  # the clinician opens "Record or change the team's decision"
    app.run()
    app.selectbox(key="decision-outcome").set_value("screening_offered")
    app.text_area(key="decision-present").input("Dr A\nDr B (physiotherapy)")
    app.button(key="case-decide").click().run()
    assert any("hold back a screening test" in e.value and "Active infection" in e.value for e in app.error)
    assert db().get(1).decision is None
    app.selectbox(key="decision-outcome").set_value("screening_offered")
    app.text_area(key="decision-reasons").input("infection treated since the referral")
    app.button(key="case-decide").click().run()
    assert not app.exception
    decision = db().get(1).decision
    assert decision is not None and decision.present == ("Dr A", "Dr B (physiotherapy)")
    assert any("departs from what the criteria point to" in i.value for i in app.info)
    app.switch_page("views/cases.py").run()
    assert any("decision: Screening test offered" in m.value for m in app.markdown)


def test_a_refused_decision_leaves_the_page_showing_what_is_stored() -> None:
    """The store refuses a departing decision without reasons: the refusal is said in the form, the panel
    still shows the decision the store holds, nothing is written, and the session's next change saves
    (its lock is the store's)."""
    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    app.session_state["decision-form"] = True
    app.run()
    app.selectbox(key="decision-outcome").set_value("deferred")
    app.text_input(key="decision-until").input("the MRI")
    app.button(key="case-decide").click().run()
    stored = db().get(1)
    assert stored.decision is not None and stored.decision.outcome == "deferred"
    lock, rows = stored.row.lock_version, len(db().audit_trail(1))
    app.selectbox(key="decision-outcome").set_value("screening_offered")
    app.button(key="case-decide").click().run()
    assert not app.exception
    refused = " ".join(e.value for e in app.error)
    assert "Not recorded:" in refused and "a decision that departs from the criteria needs its reasons" in refused
    assert any("**Team decision:** Deferred until the MRI" in m.value for m in app.markdown)
    assert (db().get(1).row.lock_version, len(db().audit_trail(1))) == (lock, rows)
    assert db().get(1).decision == stored.decision
    app.button_group(key=k("answer", "seizures")).set_value("none").run()
    assert not [e for e in app.error if "changed by someone else" in e.value]
    assert db().get(1).answers.answers["seizures"].value == "none"


def test_second_session_gets_a_conflict_not_a_silent_overwrite() -> None:
    first = new_session()
    give_name(first)
    first.button(key="case-save-new").click().run()
    second = new_session()  # another tab on the same machine: the same clinician's profile
    open_from_cases_page(second, 1)
    first.button_group(key=k("answer", "seizures")).set_value("uncontrolled").run()
    second.button_group(key=k("answer", "seizures")).set_value("none").run()
    errors = [e.value for e in second.error]
    assert errors and "changed by someone else since you opened it" in errors[0]
    assert "Dr A (Consultant), personal answer Seizures or epilepsy" in errors[0]  # the title, not the id
    assert (
        second.button_group(key=k("answer", "seizures")).value == "uncontrolled"
    )  # reloaded: the other change is shown
    assert db().get(1).answers.answers["seizures"].value == "uncontrolled"


def test_another_writers_change_is_shown_at_the_next_run_after_the_sessions_own_write() -> None:
    """The page shows the revision its own write left without reading it again only while the case's lock
    version is still the one that write returned: another writer's change is read on the next run."""
    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()  # the session's own write
    assert "status **draft**" in panel(app)
    app.run()  # nobody else wrote: the same revision, as the write left it
    assert "status **draft**" in panel(app) and app.button_group(key=k("answer", "cause")).value == "stroke"
    store = db()
    store.mark_ready(1, store.get(1).row.lock_version, DR_A)
    app.run()
    assert "status **ready**" in panel(app)


def test_a_note_that_loses_a_conflict_is_kept_to_copy() -> None:
    first = new_session()
    give_name(first)
    first.button(key="case-save-new").click().run()
    second = new_session()
    second.query_params["case"] = "1"  # the same case's address, in a second tab
    second.run()
    note(first, "seizures").input("two in October").run()
    note(second, "seizures").input("one generalised seizure in 2024, none since").run()
    assert any("changed by someone else" in e.value for e in second.error)
    assert note(second, "seizures").value == "two in October"  # what is stored now
    kept = [c.value for c in second.code]
    assert kept == ["one generalised seizure in 2024, none since"]  # and what was typed, to copy or merge
    second.button(key=f"dismiss-{k('note', 'seizures')}").click().run()
    assert not second.code


def test_meeting_page_lists_the_agenda_and_offers_one_pdf() -> None:
    store = db()
    day = dt.date(2026, 12, 3)
    store.create_case("itb_pump", "MS-meeting-03", day, DR_A)
    store.create_case("itb_pump", "SCI-referral-11", day, DR_A)
    store.create_case("itb_pump", "other day", dt.date(2026, 12, 10), DR_A)
    app = new_session()
    app.switch_page("views/meeting.py").run()
    app.selectbox(key="meeting-date").set_value(day).run()
    assert not app.exception
    agenda = [m.value for m in app.markdown if m.value.startswith(("**1. ", "**2. "))]
    assert len(agenda) == 2 and "MS-meeting-03" in agenda[0]
    assert [b.key for b in app.get("download_button")] == ["download-meeting-pdf"]


def test_pages_render_without_a_database_problem() -> None:
    app = new_session()
    for page in ("views/cases.py", "views/meeting.py"):
        app.switch_page(page).run()
        assert not app.exception


def test_bad_database_setting_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", "mysql://nope")
    app = new_session()  # reported at start-up, one line per bad setting, and nothing else runs
    shown = [e.value.replace("\\", "") for e in app.error]  # markdown escapes shown as typed
    assert [e for e in shown if "cannot start" in e and "CANDIDACY_DATABASE_URL: must start with sqlite" in e]
    assert not app.title
    app.switch_page("views/cases.py").run()
    assert not app.exception
    assert any("cannot start" in e.value for e in app.error)


def test_a_tampered_signed_record_is_shown_loudly() -> None:
    import sqlalchemy as sa

    store = db()
    reviewer = Identity("Dr R", "Consultant", "personal")
    case_id = store.create_case("itb_pump", "MS-tampered", None, DR_A)
    lock = store.mark_ready(case_id, store.get(case_id).row.lock_version, DR_A)
    store.review(case_id, lock, reviewer, "", [c for c, _ in store.gaps(case_id)])
    with store.engine.begin() as conn:  # what someone with the database file could do
        conn.execute(sa.text("DROP TRIGGER revisions_frozen_update"))
        conn.execute(sa.text("UPDATE revisions SET record = replace(record, 'MS-tampered', 'MS-other')"))
    app = new_session()
    give_name(app)
    app.switch_page("views/cases.py").run()
    app.button(key=f"open-{case_id}").click().run()
    errors = " ".join(e.value for e in app.error)
    assert "TAMPERED" in errors and "does not match its hash" in errors
    app.switch_page("views/assess.py").run()
    assert not any("MS-tampered" in m.value or "MS-other" in m.value for m in app.markdown)  # not opened


def test_a_draft_relabelled_outside_the_application_is_shown_as_tampered() -> None:
    import sqlalchemy as sa

    store = db()
    case_id = store.create_case("itb_pump", "MS-draft", None, DR_A)
    with store.engine.begin() as conn:  # no trigger guards a draft: the seal does
        conn.execute(sa.text("UPDATE cases SET label = 'RELABELLED' WHERE id = :id"), {"id": case_id})
    app = new_session()
    give_name(app)
    app.switch_page("views/cases.py").run()
    app.button(key=f"open-{case_id}").click().run()
    errors = " ".join(e.value for e in app.error)
    assert "changed outside the application" in errors and "TAMPERED" in errors, errors


def test_a_case_changed_outside_the_application_while_open_is_caught_at_the_next_save() -> None:
    """A rerun of the open case does not hash the whole case again while it is at the lock version the
    session checked or wrote; a change made outside the application under that lock version is named by
    the next save (which checks the seal in its transaction) and by opening the case again."""
    import sqlalchemy as sa

    app = new_session()
    give_name(app)
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    app.button(key="case-save-new").click().run()
    case_id = int(app.query_params["case"][0])
    store = db()
    lock = store.get(case_id).row.lock_version
    with store.engine.begin() as conn:  # the lock version is left as it was
        conn.execute(sa.text("UPDATE cases SET label = 'RELABELLED' WHERE id = :id"), {"id": case_id})
    app.run()  # a rerun with no change: read at the lock version the session wrote, not hashed again
    assert not app.exception
    assert not [e for e in app.error if "changed outside the application" in e.value]
    app.button_group(key=k("answer", "seizures")).set_value("uncontrolled").run()
    assert not app.exception
    errors = " ".join(e.value for e in app.error)
    assert "Not saved: TAMPERED" in errors, errors  # the save's own check, said
    assert "**This case was changed outside the application.**" in errors, errors  # and the case read in full
    assert not [b for b in app.button_group if b.key == k("answer", "cause")]  # shown no longer as a checklist
    assert store.get(case_id, trusted_lock=lock).answers.answers.get("seizures") is None  # not saved
    reopened = new_session()
    give_name(reopened)
    reopened.switch_page("views/cases.py").run()
    reopened.button(key=f"open-{case_id}").click().run()
    errors = " ".join(e.value for e in reopened.error)
    assert "changed outside the application" in errors and "TAMPERED" in errors, errors


def test_a_failed_save_leaves_the_page_showing_exactly_what_is_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    from candidacy.errors import StoreError
    from candidacy.store import CaseStore

    app = new_session()
    give_name(app)
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    app.button(key="case-save-new").click().run()
    real = CaseStore.apply

    def failing(self: CaseStore, *args: object, **kwargs: object) -> int:
        raise StoreError("the disk is full")

    monkeypatch.setattr(CaseStore, "apply", failing)
    app.button_group(key=k("answer", "seizures")).set_value("uncontrolled").run()
    errors = " ".join(e.value for e in app.error)
    assert "Not saved: the disk is full" in errors, errors
    assert app.button_group(key=k("answer", "seizures")).value is None  # the page shows the store, not the click
    assert "seizures" not in app.session_state["drafts"]["itb_pump"].answers  # nor does the session's draft
    monkeypatch.setattr(CaseStore, "apply", real)
    app.button_group(key=k("answer", "seizures")).set_value("uncontrolled").run()
    assert db().get(1).answers.answers["seizures"].value == "uncontrolled"
