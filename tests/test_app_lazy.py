"""What the app leaves until it is needed, so that start-up and reruns stay close to a bare script.

The heavy stacks (the PDF library, the store's SQLAlchemy and Alembic, FHIR validation) load when their
feature is first used, not with the page; each import check runs in a fresh interpreter, so nothing
imported by other tests counts. A stored case's audit trail is read only while its expander is open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from candidacy import load_criteria
from candidacy.identity import Identity

from .conftest import ITB, ROOT
from .store_fixtures import app_store, case_with_notes

HEAVY = ("fpdf", "fontTools", "PIL", "numpy", "sqlalchemy", "alembic", "fhir.resources")

_PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest

HEAVY = {heavy!r}
seen = {{}}

def loaded(step):
    seen[step] = sorted(m for m in HEAVY if m in sys.modules)

app = AppTest.from_file({app!r}, default_timeout=60)
app.run()
assert not app.exception, app.exception
loaded("start")
app.button_group(key="itb_pump-answer-active_infection").set_value("yes").run()
assert not app.exception, app.exception
assert any("Active infection" in e.value for e in app.error), "the answer did not reach the summary"
loaded("answer")
app.switch_page("views/criteria.py").run()
assert not app.exception, app.exception
loaded("criteria page")
app.switch_page("views/assess.py").run()
app.text_input(key="profile-name").input("Dr A. Example")
app.text_input(key="profile-role").input("Consultant")
app.button(key="profile-save").click().run()
app.button(key="case-save-new").click().run()
assert not app.exception, app.exception
assert app.query_params.get("case"), "the draft was not saved as a case"
loaded("saved as a case")
print(json.dumps(seen))
"""


def _probe(tmp_path: Path) -> dict[str, list[str]]:
    env = os.environ | {
        "CANDIDACY_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
        "CANDIDACY_DATA_DIR": str(tmp_path / "data"),
    }
    code = _PROBE.format(heavy=HEAVY, app=str(ROOT / "app.py"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_heavy_stacks_load_only_when_their_feature_is_used(tmp_path: Path) -> None:
    seen = _probe(tmp_path)
    assert seen["start"] == [], "imported while the assessment page starts"
    assert seen["answer"] == [], "imported by answering an item of an unsaved draft"
    assert seen["criteria page"] == [], "imported by reading the Criteria page"
    # The probe can see a stack load: saving the draft as a stored case opens the store.
    assert {"sqlalchemy", "alembic"} <= set(seen["saved as a case"])
    assert "fpdf" not in seen["saved as a case"]


def test_a_pdf_still_renders_once_asked_for() -> None:
    code = (
        "import sys\n"
        "from candidacy import load_criteria, reports\n"
        "from candidacy.draft import draft_record, new_draft\n"
        f"cset = load_criteria({str(ROOT / 'criteria' / 'itb_pump.yaml')!r})\n"
        "assert 'fpdf' not in sys.modules\n"
        "pdf = reports.render(draft_record(cset, new_draft(cset)), 'pdf')\n"
        "print(pdf[:5].decode(), 'fpdf' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["%PDF-", "True"]


def test_the_audit_trail_is_read_only_while_open() -> None:
    cset = load_criteria(ITB)
    case_id = case_with_notes(app_store(), cset, "audit-60", 60, Identity("Dr B", "Consultant", "cli"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["case"] = str(case_id)
    app.run()
    assert not app.exception
    assert not [m for m in app.markdown if "note 59" in m.value]  # closed: nothing read, nothing sent
    assert not [b for b in app.get("download_button") if b.proto.id.endswith("download-audit")]

    app.session_state["audit-trail"] = True  # the clinician opens "Audit trail"
    app.run()
    assert not app.exception
    shown = [m.value for m in app.markdown if "note 59" in m.value]
    assert len(shown) == 1
    lines = shown[0].splitlines()
    assert len(lines) == 50 and "note 59" in lines[-1] and "note 10" in lines[0]  # the latest 50, oldest first
    assert [b for b in app.get("download_button") if b.proto.id.endswith("download-audit")]


def test_an_unusable_database_is_reported_when_the_draft_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft page does not open the store; saving does, and a store that cannot open is reported."""
    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"not a database " * 500)
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", f"sqlite:///{bad}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    app.button_group(key="itb_pump-answer-active_infection").set_value("yes").run()
    assert any("Active infection" in e.value for e in app.error)  # the draft works without the store
    app.button(key="case-save-new").click().run()
    assert not app.exception
    problems = [e.value for e in app.error if "Stored cases are unavailable" in e.value]
    assert problems and "not an SQLite database" in problems[0]
    assert app.button_group(key="itb_pump-answer-active_infection").value == "yes"  # nothing lost
    assert "case" not in app.query_params


def _path_of(node: object, wanted: str, path: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """Where in the page (indices from the root) the first Markdown element starting with ``wanted`` is."""
    for index, child in getattr(node, "children", {}).items():
        if type(child).__name__ == "Markdown" and str(child.value).startswith(wanted):
            return (*path, index)
        found = _path_of(child, wanted, (*path, index))
        if found is not None:
            return found
    return None


def test_a_new_finding_leaves_the_rest_of_the_summary_in_place() -> None:
    """A finding's box fills a place kept for its kind: the long lists below it keep their place in the
    page, so the browser redraws the box and what changed, not every element after it."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    before = _path_of(app._tree, "##### Progress by section")
    app.button_group(key="itb_pump-answer-active_infection").set_value("yes").run()
    assert any("Active infection" in e.value for e in app.error)  # the contraindication's box is there
    assert before is not None and _path_of(app._tree, "##### Progress by section") == before


def test_a_run_that_imports_modules_freezes_them_for_the_collections_after_each_run() -> None:
    """``streamlit run`` collects in full after every run; what a run imported is frozen out of it."""
    code = (
        "import gc, sys\n"
        "from candidacy.ui import heap\n"
        "from candidacy.ui.heap import settle\n"
        "assert gc.get_freeze_count() == 0\n"
        "settle()\n"
        "frozen = gc.get_freeze_count()\n"
        "made = [object() for _ in range(1000)]\n"
        "settle()\n"  # nothing imported since: nothing more frozen
        "same = gc.get_freeze_count() == frozen\n"
        "import candidacy.store\n"
        "settle()\n"
        "grown = gc.get_freeze_count() > frozen\n"
        # A cycle that became garbage while frozen is freed at the next refresh.
        "class Node: pass\n"
        "a, b = Node(), Node()\n"
        "a.other, b.other = b, a\n"
        "import weakref\n"
        "gone = weakref.ref(a)\n"
        "import candidacy.learning\n"
        "settle()\n"  # frozen with the rest
        "del a, b\n"
        "for _ in range(heap.REFRESH_RUNS - 1):\n"
        "    settle()\n"
        "kept = gone() is not None\n"
        "settle()\n"  # the refresh
        "print(frozen > 10000, same, grown, kept, gone() is None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )
    assert done.stdout.split() == ["True"] * 5


def test_apptest_freezes_nothing() -> None:
    """AppTest does not collect after a run, so the page leaves the test process's collector alone."""
    code = (
        "import gc\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"app = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60)\n"
        "app.run()\n"
        "assert not app.exception, app.exception\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == "0"
