"""The Assess page's "Propose answers from a FHIR record", through AppTest: nothing is answered on
upload; Accept answers an item with its provenance in the note; Reject removes a proposal; Accept all
takes the rest; conflicts and out-of-date items are shown; a bad record changes nothing."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT
from .test_app import k, note

APP = str(ROOT / "app.py")
RECORDS = ROOT / "tests" / "data" / "fhir_records"
TBI = RECORDS / "referral-tbi-everything.json"


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def _upload(app: AppTest, *files: tuple[str, bytes]) -> None:
    app.file_uploader(key="prefill-upload").set_value([(n, raw, "application/json") for n, raw in files]).run()
    assert not app.exception


def _proposals(app: AppTest) -> list[str]:
    return [b.key.removeprefix("prefill-accept-") for b in app.button if b.key and b.key.startswith("prefill-accept-")]


def test_upload_proposes_and_answers_nothing(at: AppTest) -> None:
    _upload(at, (TBI.name, TBI.read_bytes()))
    assert "cause" in _proposals(at) and "age_years" in _proposals(at)
    assert at.button(key="prefill-accept-all").label == "Accept all 11 proposals"
    assert at.button_group(key=k("answer", "cause")).value is None
    assert at.number_input(key=k("answer", "age_years")).value is None


def test_accept_one_reject_one_then_accept_all(at: AppTest) -> None:
    _upload(at, (TBI.name, TBI.read_bytes()))
    at.button(key="prefill-accept-baclofen_hypersensitivity").click().run()
    assert not at.exception
    assert at.button_group(key=k("answer", "baclofen_hypersensitivity")).value == "intolerance_only"
    assert note(at, "baclofen_hypersensitivity").value == (
        "From record: AllergyIntolerance/allergy-baclofen (2025-09-03), SNOMED 387342009 Baclofen (substance), "
        "intolerance (rule baclofen-intolerance)"
    )
    assert "baclofen_hypersensitivity" not in _proposals(at)
    at.button(key="prefill-reject-spinal_fusion").click().run()
    assert "spinal_fusion" not in _proposals(at)
    assert at.button_group(key=k("answer", "spinal_fusion")).value is None
    at.button(key="prefill-accept-all").click().run()
    assert not at.exception
    assert _proposals(at) == []
    assert at.button_group(key=k("answer", "cause")).value == "traumatic_brain_injury"
    assert at.number_input(key=k("answer", "age_years")).value == 38
    assert at.number_input(key=k("answer", "months_since_tbi")).value == 21
    assert note(at, "cause").value.startswith("From record: Condition/cond-tbi (2025-02-10), SNOMED 127295002")
    assert at.button_group(key=k("answer", "spinal_fusion")).value is None  # the rejected one stays unanswered


def test_conflicts_and_out_of_date_items_are_shown(at: AppTest) -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(RECORDS.glob("bulk-ms-r5-*.ndjson"))]
    data = json.loads(TBI.read_text())
    intolerance = next(e["resource"] for e in data["entry"] if e["resource"]["id"] == "allergy-baclofen")
    data["entry"].append({"resource": {**intolerance, "id": "allergy-2", "type": "allergy"}})
    _upload(at, *files)
    infos = [i.value for i in at.info]
    assert any(v.startswith("**Pregnancy planned or possible**: Yes, from Condition/pregnancy") for v in infos)
    _upload(at, ("conflict.json", json.dumps(data).encode()))
    warnings = [w.value for w in at.warning]
    assert any("**Hypersensitivity to baclofen**: the record says different things" in w for w in warnings)


def test_a_bad_record_changes_nothing(at: AppTest) -> None:
    at.button_group(key=k("answer", "cause")).set_value("stroke").run()
    data = json.loads(TBI.read_text())
    data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Patient"]
    _upload(at, ("no-patient.json", json.dumps(data).encode()))
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("The record was not read; nothing was changed.")
    assert "no Patient resource" in errors[0]
    assert _proposals(at) == []
    assert at.button_group(key=k("answer", "cause")).value == "stroke"


def test_in_a_stored_case_each_acceptance_is_saved_and_audited() -> None:
    from .test_app_cases import db, give_name, new_session

    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    _upload(app, (TBI.name, TBI.read_bytes()))
    app.button(key="prefill-accept-cause").click().run()
    assert not app.exception
    stored = db().get(1).answers.answers
    assert stored["cause"].value == "traumatic_brain_injury"
    assert stored["cause"].note.startswith("From record: Condition/cond-tbi (2025-02-10)")
    trail = [(e.action, e.item) for e in db().audit_trail(1)]
    assert ("answer", "cause") in trail and ("note", "cause") in trail
    app.button(key="prefill-accept-all").click().run()
    assert not app.exception
    stored = db().get(1).answers.answers
    assert stored["age_years"].value == 38
    assert stored["vp_shunt"].note.startswith("From record: Procedure/proc-vp-shunt (2025-03-04)")
    last = db().audit_trail(1)[-1]
    assert last.action == "load" and last.new is not None and "10 proposals accepted from the FHIR record" in last.new


def test_a_proposal_that_would_change_an_answer_is_accepted_only_on_its_own(at: AppTest) -> None:
    at.button_group(key=k("answer", "cause")).set_value("stroke").run()
    _upload(at, (TBI.name, TBI.read_bytes()))
    assert at.button(key="prefill-accept-all").label == "Accept all 10 proposals for unanswered items"
    assert any(c.value == "Accepting replaces the answer given: Stroke." for c in at.caption)
    at.button(key="prefill-accept-all").click().run()
    assert at.button_group(key=k("answer", "cause")).value == "stroke"  # kept until accepted on its own
    assert _proposals(at) == ["cause"]
    at.button(key="prefill-accept-cause").click().run()
    assert at.button_group(key=k("answer", "cause")).value == "traumatic_brain_injury"


def test_a_proposal_shows_what_it_assumes_before_it_is_accepted(at: AppTest) -> None:
    _upload(at, (TBI.name, TBI.read_bytes()))
    shown = [c.value for c in at.caption]
    assert any(
        v.startswith(":material/help: Check before accepting: Whether the epilepsy is controlled") for v in shown
    )


def _stored_case_with_proposals() -> AppTest:
    from .test_app_cases import db, give_name, new_session

    app = new_session()
    give_name(app)
    app.button(key="case-save-new").click().run()
    _upload(app, (TBI.name, TBI.read_bytes()))
    store = db()  # another session changes the case meanwhile
    from candidacy.case import SetAnswer

    from .test_app_cases import DR_A

    store.apply(1, store.get(1).row.lock_version, SetAnswer("seizures", "none"), DR_A)
    return app


def test_an_acceptance_the_store_refuses_saves_nothing_and_stays_proposed() -> None:
    from .test_app_cases import db

    app = _stored_case_with_proposals()
    app.button(key="prefill-accept-cause").click().run()
    assert not app.exception
    assert any("changed by someone else" in e.value for e in app.error)
    assert "cause" not in db().get(1).answers.answers  # neither the answer nor its provenance note
    assert app.button_group(key=k("answer", "cause")).value is None  # the page shows what is stored
    assert app.button_group(key=k("answer", "seizures")).value == "none"
    assert "cause" in _proposals(app)  # still proposed, to accept again
    app.button(key="prefill-accept-cause").click().run()
    stored = db().get(1).answers.answers["cause"]
    assert stored.value == "traumatic_brain_injury" and stored.note.startswith("From record: Condition/cond-tbi")


def test_an_accept_all_the_store_refuses_saves_nothing_and_keeps_every_proposal() -> None:
    from .test_app_cases import db

    app = _stored_case_with_proposals()
    before = len(_proposals(app))
    app.button(key="prefill-accept-all").click().run()
    assert not app.exception
    assert any("changed by someone else" in e.value for e in app.error)
    assert set(db().get(1).answers.answers) == {"seizures"}
    assert len(_proposals(app)) == before
