"""Nothing lost (AppTest): every case has an address, an unsaved draft is kept on disk and offered back,
a new case starts clean, "none of these" is one change, notes sit behind a small control."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from candidacy import load_criteria
from candidacy.draft import keep_draft, kept_draft, new_draft, set_answer
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile

from .conftest import ITB, ROOT
from .store_fixtures import app_store as db

APP = str(ROOT / "app.py")
SOMEONE = Identity(name="Dr A", role="Consultant", source="cli")


@pytest.fixture(autouse=True)
def _profile() -> None:
    """Personal mode: the clinician's name and role, given once, kept in the data folder."""
    save_profile(Path(os.environ["CANDIDACY_DATA_DIR"]), "Dr A", "Consultant")


def k(role: str, name: str = "") -> str:
    return f"itb_pump-{role}-{name}" if name else f"itb_pump-{role}"


def session(**params: str) -> AppTest:
    """A new browser session (a reload, a link, a bookmark) at an address with these query parameters."""
    app = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception
    return app


def address(app: AppTest) -> dict[str, str]:
    return {name: str(value) for name, value in app.query_params.items()}


def answer(app: AppTest, crit: str) -> object:
    return app.button_group(key=k("answer", crit)).value


def test_a_stored_case_has_an_address_that_reopens_it() -> None:
    case_id = db().create_case("itb_pump", "MS-meeting-03", None, SOMEONE)
    first = session(case=str(case_id))
    assert any(f"Stored case #{case_id}" in m.value for m in first.markdown)
    first.button_group(key=k("answer", "cause")).set_value("stroke").run()
    assert address(first) == {"case": str(case_id)}
    reloaded = session(**address(first))  # reload, link or bookmark: same address, same case
    assert answer(reloaded, "cause") == "stroke"
    assert any(f"Stored case #{case_id}" in m.value for m in reloaded.markdown)


def test_an_address_naming_no_case_says_so() -> None:
    app = session(case="999")
    assert any("Case 999 could not be opened" in e.value for e in app.error)
    assert "draft" in address(app)  # an unsaved draft instead, with its own address


def test_an_unsaved_draft_survives_a_reload_and_is_not_shared() -> None:
    first = session()
    token = address(first)["draft"]
    first.button_group(key=k("answer", "cause")).set_value("multiple_sclerosis").run()
    first.text_input(key=k("case", "label")).input("MS-meeting-03").run()
    reloaded = session(draft=token)  # a reload, or the server restarted: the draft is kept on disk
    assert answer(reloaded, "cause") == "multiple_sclerosis"
    assert reloaded.text_input(key=k("case", "label")).value == "MS-meeting-03"
    assert any("Your unsaved draft was kept on this machine and is back (1 answers" in i.value for i in reloaded.info)
    other = session()  # another browser session without the address starts empty
    assert answer(other, "cause") is None
    assert address(other)["draft"] != token


def test_new_case_starts_clean_and_the_previous_draft_stays_at_its_address() -> None:
    app = session()
    token = address(app)["draft"]
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    app.button(key="new-case").click().run()
    assert answer(app, "cause") is None
    assert "Answered 0 of 55 applicable items" in [p.proto.text for p in app.get("progress")]
    assert address(app)["draft"] != token
    back = session(draft=token)  # the browser's back button, or the old link
    assert answer(back, "cause") == "stroke"


def test_new_case_closes_an_open_stored_case() -> None:
    case_id = db().create_case("itb_pump", "MS-meeting-03", None, SOMEONE)
    app = session(case=str(case_id))
    app.button(key="new-case").click().run()
    assert any("Unsaved draft" in m.value for m in app.markdown)
    assert "case" not in address(app)


def test_saving_a_draft_as_a_case_moves_the_address_and_drops_the_kept_copy(tmp_path: Path) -> None:
    app = session()
    token = address(app)["draft"]
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    kept = tmp_path / "data" / "drafts" / "personal" / f"{token}.itb_pump.json"
    assert kept.exists()
    app.button(key="case-save-new").click().run()
    assert address(app) == {"case": "1"}
    assert not kept.exists()
    assert db().get(1).answers.answers["cause"].value == "stroke"


def test_none_of_these_answers_a_block_in_one_change() -> None:
    case_id = db().create_case("itb_pump", "relative-block", None, SOMEONE)
    app = session(case=str(case_id))
    app.button_group(key=k("answer", "seizures")).set_value("controlled").run()  # given answers stay
    before = len(db().audit_trail(case_id))
    app.button(key="none-relative").click().run()
    assert not app.exception
    stored = db().get(case_id).answers.answers
    assert stored["seizures"].value == "controlled"
    assert stored["mental_health"].value == "no" and stored["coagulation"].value == "none"
    assert answer(app, "mental_health") == "no" and answer(app, "vp_shunt") == "none"
    assert answer(app, "goals") is None  # "agreed / not yet / unrealistic" has no "absent" answer
    assert len(db().audit_trail(case_id)) == before + 1
    assert not [b for b in app.button if b.key == "none-relative"]  # nothing left to answer that way


def test_answers_are_one_control_each_and_notes_open_only_when_wanted() -> None:
    app = session()
    assert {g.key for g in app.button_group} >= {k("answer", "cause"), k("answer", "seizures")}
    assert not app.text_area  # every note is behind its small control until opened
    app.session_state[k("notes", "cause")] = True
    app.run()
    app.text_area(key=k("note", "cause")).input("Fall from height").run()
    again = session(draft=address(app)["draft"])
    assert again.text_area(key=k("note", "cause")).value == "Fall from height"  # a note shows itself


def test_a_note_emptied_while_open_stays_open() -> None:
    """The box's open state is seeded, not passed as ``expanded`` (part of the expander's identity)."""
    app = session()
    app.session_state[k("notes", "cause")] = True
    app.run()
    app.text_area(key=k("note", "cause")).input("Fall from height").run()
    app.text_area(key=k("note", "cause")).input("").run()
    assert [t.key for t in app.text_area] == [k("note", "cause")]  # still open, now empty
    assert app.text_area(key=k("note", "cause")).value == ""


def test_reruns_wait_for_the_running_script() -> None:
    """With fast reruns, a quick second answer ran its callback in a second script thread beside the
    first: both saved against one case version and an answer was lost (see test_browser_stress)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["fastReruns"] is False


def test_kept_drafts_refuse_a_forged_token(tmp_path: Path) -> None:
    cset = load_criteria(ITB)
    draft = new_draft(cset)
    set_answer(draft, "cause", "stroke")
    keep_draft(tmp_path, "abcdefgh1234", draft)
    kept = kept_draft(tmp_path, "abcdefgh1234", cset)
    assert kept is not None and kept.answers.answers["cause"].value == "stroke"
    assert kept_draft(tmp_path, "otherdraft99", cset) is None
    with pytest.raises(CandidacyError, match="not a draft token"):
        kept_draft(tmp_path, "../../etc/passwd", cset)


def test_callbacks_hold_back_a_rerun_request_until_they_end() -> None:
    """The lost-update fix swaps Streamlit's rerun check during our callbacks and restores it after.

    It relies on SafeSessionState._yield_callback (Streamlit is pinned): if an upgrade removes it,
    this test fails instead of the fix silently doing nothing.
    """
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    from candidacy.ui.callbacks import callback

    assert "_yield_callback" in SafeSessionState.__annotations__
    calls: list[str] = []
    safe = SafeSessionState.__new__(SafeSessionState)
    object.__setattr__(safe, "_yield_callback", lambda: calls.append("rerun check"))

    class Ctx:
        session_state = safe

    def during() -> None:
        safe._yield_callback()  # what Streamlit calls on every session-state access
        calls.append("callback body")

    from unittest import mock

    with mock.patch("streamlit.runtime.scriptrunner.get_script_run_ctx", return_value=Ctx()):
        callback(during)()
    assert calls == ["callback body"]  # the check did not run inside the callback
    safe._yield_callback()
    assert calls == ["callback body", "rerun check"]  # and it is back afterwards


class _SignedIn:
    """Stands in for ``st.user`` of a person signed in through OpenID Connect (team mode)."""

    is_logged_in = True

    def __init__(self, email: str) -> None:
        self.email = email

    def get(self, name: str, default: object = None) -> object:
        return self.email if name == "email" else default


def test_a_kept_draft_is_its_owners_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The address of a signed-in person's unsaved draft, opened by another signed-in person, is empty."""
    import streamlit

    monkeypatch.setattr(streamlit, "user", _SignedIn("a@example.org"))
    mine = session()
    token = address(mine)["draft"]
    mine.button_group(key=k("answer", "cause")).set_value("stroke").run()
    monkeypatch.setattr(streamlit, "user", _SignedIn("b@example.org"))
    theirs = session(draft=token)
    assert answer(theirs, "cause") is None
    assert not any("Your unsaved draft was kept" in i.value for i in theirs.info)
    monkeypatch.setattr(streamlit, "user", _SignedIn("a@example.org"))
    again = session(draft=token)
    assert answer(again, "cause") == "stroke"


def _first_page(record: object) -> str:
    import io

    from pypdf import PdfReader

    from candidacy.reports.pdf import render_pdf

    data = render_pdf(record)  # type: ignore[arg-type]
    return " ".join((PdfReader(io.BytesIO(data)).pages[0].extract_text() or "").split())


def test_the_person_in_the_sidebar_becomes_the_assessor_of_a_draft_and_its_pdf() -> None:
    from candidacy.draft import draft_record

    app = session()
    assert app.text_input(key=k("case", "assessor")).value == ""
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    assert not app.exception
    assert app.text_input(key=k("case", "assessor")).value == "Dr A"
    assert app.text_input(key=k("case", "role")).value == "Consultant"
    draft = app.session_state["drafts"]["itb_pump"]
    assert "Assessor: Dr A (Consultant)" in _first_page(draft_record(load_criteria(ITB), draft))


def test_the_person_making_a_change_becomes_the_assessor_of_a_stored_case_and_its_record() -> None:
    case_id = db().create_case("itb_pump", "MS-meeting-04", None, SOMEONE)
    app = session(case=str(case_id))
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    stored = db().get(case_id).answers.case
    assert (stored.assessor, stored.role) == ("Dr A", "Consultant")
    items = [e.item for e in db().audit_trail(case_id)]
    assert items[-1] == "cause" and set(items[-3:-1]) == {"assessor", "role"}  # audited, the answer last
    assert "Assessor: Dr A (Consultant)" in _first_page(db().record(case_id))


def test_an_assessor_typed_is_never_replaced_and_clearing_it_is_kept() -> None:
    app = session()
    app.text_input(key=k("case", "assessor")).input("Dr Other").run()
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    assert app.text_input(key=k("case", "assessor")).value == "Dr Other"
    app.text_input(key=k("case", "assessor")).input("").run()
    assert app.text_input(key=k("case", "assessor")).value == ""
    assert app.session_state["drafts"]["itb_pump"].case.assessor == ""
