"""The protocol and worksheet files: validated with FILE:LINE errors; the command line and the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from candidacy.criteria.loader import load_criteria
from candidacy.errors import CandidacyError
from candidacy.screening.loader import load_protocol_text, load_worksheet_text
from candidacy.screening.pdf import render_worksheet_pdf

from .clock_support import TEST_NOW, python_at
from .screening_support import EXAMPLE, PROTOCOL_FILE, ROOT, protocol


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "candidacy", "screening", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_the_shipped_protocol_cites_known_sources_and_fits_the_criteria() -> None:
    proto = protocol()
    assert [d.micrograms for d in proto.dosing.sequence] == [50, 75, 100]
    assert proto.dosing.low_start.micrograms == 25
    assert proto.observation.times_hours == [0, 1, 2, 4, 6, 8]
    assert {d.id for d in proto.definitions} == {
        "mean_lower_limb_ashworth_1",
        "two_points_ashworth_or_penn",
        "goals_met",
    }
    events = {a.id for a in proto.adverse_events.items}
    assert {"post_dural_headache", "urinary_retention", "respiratory_depression", "seizure", "coma"} <= events
    assert all(ref.locator for _, ref in proto.source_refs())


def _edit(old: str, new: str) -> str:
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_protocol_errors_name_file_line_and_field() -> None:
    text = _edit("source: GIL00, locator", "source: GIL99, locator")
    with pytest.raises(CandidacyError) as caught:
        load_protocol_text(text, name="proto.yaml")
    line = _line_of(text, "GIL99")
    assert f"proto.yaml:{line}:" in str(caught.value)
    assert "unknown source 'GIL99'" in str(caught.value)


def test_protocol_refuses_unknown_keys_and_a_falling_sequence() -> None:
    text = _edit("    - {micrograms: 75, volume_ml: 1.5}", "    - {micrograms: 40, volume_ml: 1.5}")
    text = text.replace("  min_interval_hours: 24", "  min_interval_hours: 24\n  interval_hours: 24")
    with pytest.raises(CandidacyError) as caught:
        load_protocol_text(text, name="p.yaml")
    message = str(caught.value)
    assert "unknown key 'interval_hours'" in message


def test_protocol_outcomes_must_be_options_of_the_criteria_item() -> None:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    text = _edit("    answer: no_response_100", "    answer: no_response")
    with pytest.raises(CandidacyError, match="'no_response' is not an option of 'screening_test'"):
        load_protocol_text(text, cset, name="p.yaml")


def test_worksheet_errors_name_file_line_and_field() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "knee_flexors: {left: 2, right: 2}", "knee_flexors: {left: 5, right: 2}", 1
    )
    with pytest.raises(CandidacyError) as caught:
        load_worksheet_text(text, protocol(), name="ws.yaml")
    line = _line_of(text, "left: 5")
    assert f"ws.yaml:{line}:" in str(caught.value)
    assert "'5' is not a level" in str(caught.value)


def test_a_definition_chosen_after_the_first_dose_is_refused_in_a_file() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("chosen_at: 2026-11-20T16:00", "chosen_at: 2026-11-21T09:00")
    with pytest.raises(CandidacyError, match="chosen after the first dose"):
        load_worksheet_text(text, protocol(), name="ws.yaml")


def test_cli_text_and_json_give_the_same_result() -> None:
    text = _cli("--worksheet", str(EXAMPLE))
    assert text.returncode == 0, text.stderr
    assert "Dose 1: 50 micrograms (definition not met)" in text.stdout
    assert "Dose 2: 75 micrograms (definition met)" in text.stdout
    assert "Largest fall: 1.44" in text.stdout
    data = json.loads(_cli("--worksheet", str(EXAMPLE), "--format", "json").stdout)
    assert [d["status"] for d in data["doses"]] == ["not_met", "met"]
    assert data["computed"] == "positive_function_kept"
    assert data["answer"] == {"item": "screening_test", "value": "positive"}


def test_cli_reports_a_bad_worksheet_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("spasms: 3", "spasms: 7", 1), encoding="utf-8")
    done = _cli("--worksheet", str(bad))
    assert done.returncode == 2
    assert re.search(
        rf"{re.escape(str(bad))}:\d+:\d+: doses\.0\.observations\.0\.spasms: '7' is not a level", done.stderr
    )


def test_cli_pdf_needs_an_output_and_writes_it(tmp_path: Path) -> None:
    assert _cli("--worksheet", str(EXAMPLE), "--format", "pdf").returncode == 2
    out = tmp_path / "ws.pdf"
    done = _cli("--worksheet", str(EXAMPLE), "--format", "pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def _example_pdf() -> bytes:
    from candidacy.screening.loader import load_worksheet

    proto = protocol()
    return render_worksheet_pdf(proto, load_worksheet(EXAMPLE, proto))


def test_the_pdf_shows_the_result_the_chart_legend_and_the_table() -> None:
    reader = PdfReader(BytesIO(_example_pdf()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Screening test worksheet" in text
    assert "a fall of 1.44" in text
    for word in ("Tone, legs (mean Ashworth)", "Spasms (Penn)", "Hour", "Legs", "Transfers", "C. Example"):
        assert word in text
    assert "Post-dural puncture headache" in text
    # the chart is drawn: many line segments in the page with dose 2
    page = next(p for p in reader.pages if "Dose 2: 75 micrograms" in p.extract_text())
    content = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
    segments = re.findall(r"-?[\d.]+ -?[\d.]+ l\b", content)
    assert len(segments) >= 20, len(segments)


RENDER_WORKSHEET = """
import hashlib, sys
from tests.screening_support import EXAMPLE, protocol
from candidacy.screening.loader import load_worksheet
from candidacy.screening.pdf import render_worksheet_pdf
proto = protocol()
print(hashlib.sha256(render_worksheet_pdf(proto, load_worksheet(EXAMPLE, proto))).hexdigest())
"""


def test_the_same_worksheet_gives_the_same_pdf_bytes_whenever_and_wherever_it_is_rendered() -> None:
    """Two processes years apart, in other zones, by the real clock and by candidacy's: no time in the bytes."""
    first = python_at(RENDER_WORKSHEET, "2026-12-01 09:30:00", TEST_NOW, "Europe/London")
    later = dt.datetime(2031, 7, 15, 23, 45, 12, tzinfo=dt.UTC)
    second = python_at(RENDER_WORKSHEET, "2031-07-15 23:45:12", later, "Pacific/Kiritimati")
    assert first == second == hashlib.sha256(_example_pdf()).hexdigest()


def test_the_chart_is_visible_when_the_page_is_rendered(tmp_path: Path) -> None:
    """pdftoppm draws the dose page; the chart's colours must be on it (blue tone line, orange spasms)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) must be installed in CI")
        pytest.skip("pdftoppm not installed")
    from PIL import Image

    pdf = tmp_path / "ws.pdf"
    pdf.write_bytes(_example_pdf())
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "3", "-l", "3", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=60
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20) or []}

    def near(target: tuple[int, int, int]) -> bool:
        return any(sum(abs(a - b) for a, b in zip(c, target, strict=True)) < 40 for c in colours)

    assert near((0, 114, 178)) and near((213, 94, 0))


def test_a_worksheet_of_an_earlier_protocol_version_opens_only_through_a_declared_migration() -> None:
    from candidacy.screening.checks import worksheet_faults
    from candidacy.screening.loader import load_worksheet

    from .screening_support import EXAMPLE, protocol

    proto = protocol()
    assert proto.version == "1.1.0" and [m.from_version for m in proto.migrations] == ["1.0.0"]
    old = load_worksheet(EXAMPLE, proto)  # written for 1.0.0
    assert old.protocol_version == "1.0.0" and worksheet_faults(proto, old) == []
    unknown = old.model_copy(update={"protocol_version": "0.9.0"})
    [(where, message)] = worksheet_faults(proto, unknown)
    assert where == ("protocol_version",) and "declares no migration from it" in message
