"""The cases and diff commands, and the combined meeting PDF."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from candidacy.cli import main
from candidacy.identity import Identity
from candidacy.reports.pdf import render_meeting_pdf

from .conftest import ITB
from .store_fixtures import app_store as _store

DR_A = Identity("Dr A", "Specialty registrar", "personal")


def test_cases_list_show_export_import(tmp_path: Path) -> None:
    store = _store()
    case_id = store.create_case("itb_pump", "MS-meeting-03", dt.date(2026, 12, 3), DR_A)
    store.save_answer(case_id, store.get(case_id).row.lock_version, "active_infection", "yes", DR_A)
    store.close()
    signed = CliRunner().invoke(main, ["cases", "sign-off", "1", "--name", "Dr R", "--role", "Consultant"])
    assert signed.exit_code == 2 and "mark it ready for review" in signed.stderr
    store = _store()
    store.mark_ready(case_id, store.get(case_id).row.lock_version, DR_A)
    store.close()
    signed = CliRunner().invoke(main, ["cases", "sign-off", "1", "--name", "Dr R", "--role", "Consultant"])
    assert signed.exit_code == 2 and "applicable item(s) are unanswered" in signed.stderr
    signed = CliRunner().invoke(
        main, ["cases", "sign-off", "1", "--name", "Dr R", "--role", "Consultant", "--acknowledge-gaps"]
    )
    assert signed.exit_code == 0, signed.stderr
    assert signed.stdout.startswith("signed off revision 1 of case 1; revision hash ")
    runner = CliRunner()
    listed = runner.invoke(main, ["cases", "list", "--meeting", "2026-12-03"])
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.startswith("#1 2026-12-03 MS-meeting-03 · reviewed (revision 1) · 1 contraindication(s)")
    assert runner.invoke(main, ["cases", "list", "--status", "draft"]).stdout == "no cases\n"
    shown = runner.invoke(main, ["cases", "show", "1", "--audit"])
    assert shown.exit_code == 0, shown.stderr
    assert "revision 1: reviewed reviewed by Dr R (Consultant), hash " in shown.stdout
    assert "--- frozen record of revision 1, as signed" in shown.stdout
    assert "Active infection" in shown.stdout and "- **Reviewer:** Dr R" in shown.stdout
    assert "- **Identity:** command line" in shown.stdout
    assert "drift: none" in shown.stdout
    assert "Dr R (Consultant), command line review (revision 1)" in shown.stdout
    backup = tmp_path / "backup.jsonl"
    exported = runner.invoke(main, ["cases", "export", "-o", str(backup)])
    assert exported.exit_code == 0 and "exported 1 cases" in exported.stderr
    restored = runner.invoke(
        main, ["cases", "import", str(backup)], env={"CANDIDACY_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    )
    assert restored.exit_code == 0, restored.stderr
    assert restored.stdout == "imported 1 cases, every chain and signed record verified\n"
    again = runner.invoke(main, ["cases", "import", str(backup)])
    assert again.exit_code == 2 and "only into an empty database" in again.stderr
    missing = runner.invoke(main, ["cases", "show", "99"])
    assert missing.exit_code == 2 and "case 99 does not exist" in missing.stderr


def test_bad_database_setting_is_a_clear_error() -> None:
    done = CliRunner().invoke(main, ["cases", "list"], env={"CANDIDACY_DATABASE_URL": "oracle://x"})
    assert done.exit_code == 2
    assert "CANDIDACY_DATABASE_URL: must start with sqlite://" in done.stderr


def test_diff_command(tmp_path: Path) -> None:
    newer = tmp_path / "itb_new.yaml"
    text = ITB.read_text(encoding="utf-8").replace('version: "1.3.0"', 'version: "1.4.0"')
    newer.write_text(text.replace("question: Is the patient malnourished?", "question: Is the patient undernourished?"))
    done = CliRunner().invoke(main, ["diff", str(ITB), str(newer)])
    assert done.exit_code == 0
    assert done.stdout == "criteria version 1.3.0 -> 1.4.0\nchanged: malnutrition (question)\n"
    same = CliRunner().invoke(main, ["diff", str(ITB), str(ITB)])
    assert same.stdout.endswith("no differences in the criteria\n")


def test_meeting_pdf_holds_every_case() -> None:
    store = _store()
    ids = [store.create_case("itb_pump", label, dt.date(2026, 12, 3), DR_A) for label in ("MS-03", "SCI-11")]
    data = render_meeting_pdf([store.record(i) for i in ids], "Referral meeting 2026-12-03")
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]
    assert any("Case MS-03" in p for p in pages) and any("Case SCI-11" in p for p in pages)
    assert pages[-1].rstrip().endswith(f"Page {len(pages)} of {len(pages)}")
    store.close()
