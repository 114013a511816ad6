"""A record's PDF is reproduced byte for byte, whenever it is rendered: checked against a hash stored
with the tests (so a render today is compared with one made earlier), in a fresh process whose real
clock (Debian's faketime) and candidacy's clock are moved 74 years on and whose time zone is another.
Rendering twice within one second could not show that a creation date or any other wall-clock value
leaks into the file.

When a deliberate change to the PDF layout changes the bytes, regenerate the stored hash with
``.venv/bin/python tests/test_pdf_reproducible.py`` and say why in the commit.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

if not __package__:  # run as a script to regenerate the stored hash: the project's root holds tests/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.clock_support import python_at

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "tests" / "data" / "record-pdf.sha256"

RENDER = """
import datetime as dt, hashlib, sys
from candidacy import load_criteria
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader
from candidacy.reports.pdf import render_pdf
from candidacy.reports.record import build_record
cset = load_criteria(sys.argv[1])
answers = AnswerSet(
    criteria=cset.id,
    version=cset.version,
    case=CaseHeader(label="REPRO-01", assessor="Dr A. Example", role="Consultant", assessed_on=dt.date(2026, 11, 20)),
    answers={"walks": Answer(value="no", note="Wheelchair user; note with ümlauts and a very long word " + "x" * 90),
             "age": Answer(value=52), "infection": Answer(value="unknown")},
)
print(hashlib.sha256(render_pdf(build_record(cset, answers))).hexdigest())
"""


def render_hash(tz: str = "Pacific/Kiritimati") -> str:
    moved = dt.datetime(2100, 11, 20, 23, 59, 30, tzinfo=dt.UTC)  # 74 years after the case was assessed
    return python_at(RENDER, "2100-11-20 23:59:30", moved, tz, str(ROOT / "tests" / "data" / "minimal.yaml"))


def test_the_pdf_matches_the_stored_hash_in_another_process_time_and_zone() -> None:
    assert render_hash() == STORED.read_text(encoding="ascii").strip(), (
        "the PDF bytes changed: if the layout changed on purpose, regenerate tests/data/record-pdf.sha256 "
        "with .venv/bin/python tests/test_pdf_reproducible.py"
    )


if __name__ == "__main__":
    digest = render_hash("UTC")
    STORED.write_text(digest + "\n", encoding="ascii")
    print(digest)
