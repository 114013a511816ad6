"""Text from users is shown as typed: in Markdown, in PDF, on the terminal and on screen nothing in a label
or note becomes formatting, maths, a colour, an icon, a link, HTML or a terminal escape sequence."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from candidacy import AnswerSet, CriteriaSet
from candidacy.reasoning.answers import Answer, CaseHeader
from candidacy.reports.markdown import render_markdown
from candidacy.reports.pdf import render_pdf
from candidacy.reports.record import build_record
from candidacy.text import markdown_literal, printable, screen_literal

HOSTILE = (
    "**bold** _em_ `code` $x^2$ ~~gone~~ <b>tag</b> &amp; [link](http://example.org) ![img](http://e.org/p.png) "
    "www.example.org https://example.org a@b.org :red[alarm] :smile: :+1: :material/home: \\* end"
)
LINES = "# heading\n- item\n+ item\n12. item\n> quote\n===\n| a | b |"
ESCAPES = "bell\x07 esc\x1b[2J rlo\u202eevil\u202c nul-free"
JOINER = "\u2060"


def test_printable_makes_control_and_direction_characters_visible() -> None:
    assert printable(ESCAPES) == "bell\\x07 esc\\x1b[2J rlo\\u202eevil\\u202c nul-free"
    assert printable("two\nlines\tand tab") == "two\nlines\tand tab"


def _rendered(text: str) -> tuple[str, str]:
    """(HTML, its text) as a CommonMark viewer with tables and strikethrough shows ``text``."""
    out = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).replace(JOINER, "")


@pytest.mark.parametrize("typed", [HOSTILE, LINES])
def test_markdown_literal_reads_back_as_typed_with_nothing_active(typed: str) -> None:
    out, shown = _rendered(markdown_literal(typed))
    assert re.findall(r"<(?!/?p>)[a-z0-9]+", out) == []  # only paragraphs: no em, strong, code, a, img, h1, ...
    assert shown.split() == typed.split()


def test_markdown_literal_breaks_every_gfm_autolink_trigger() -> None:
    literal = markdown_literal("www.example.org https://example.org a@b.org")
    assert "www." not in literal and "://" not in literal and "@b" not in literal
    assert literal.replace(JOINER, "") == "www.example.org https://example.org a@b.org"


def _record(cset: CriteriaSet, label: str, note: str) -> bytes:
    crit = next(iter(cset.criteria_by_id))
    answers = AnswerSet(
        criteria=cset.id, case=CaseHeader(label=label, assessor="Dr *A*"), answers={crit: Answer(note=note)}
    )
    return render_pdf(build_record(cset, answers))


def test_the_markdown_report_shows_notes_and_labels_as_typed(itb: CriteriaSet) -> None:
    crit = next(iter(itb.criteria_by_id))
    answers = AnswerSet(
        criteria=itb.id,
        case=CaseHeader(label="X-01 <script>", assessor=":red[Dr] $A$"),
        answers={crit: Answer(note=f"{HOSTILE}\n{LINES}\n{ESCAPES}")},
    )
    document = render_markdown(build_record(itb, answers))
    assert "\x1b" not in document and "\u202e" not in document
    out, shown = _rendered(document)
    assert "<a " not in out and "<img" not in out and "<s>" not in out and "<script" not in out
    assert "X-01 <script>" in shown and ":red[Dr] $A$" in shown
    assert " ".join(f"{HOSTILE} {LINES}".split()) in " ".join(shown.split())
    assert "esc\\x1b[2J rlo\\u202eevil\\u202c" in shown


def test_the_pdf_shows_escape_sequences_as_visible_text(itb: CriteriaSet) -> None:
    data = _record(itb, "LBL\x1b[31m-01\u202e", f"note {ESCAPES}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "\x1b" not in text and "\u202e" not in text
    assert "LBL\\x1b[31m-01\\u202e" in text
    assert "esc\\x1b[2J" in text


def test_the_terminal_never_receives_an_escape_sequence(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    answers = tmp_path / "a.json"
    answers.write_text(
        '{"criteria": "itb_pump", "case": {"label": "L\\u202eevil\\u2066x"}, "answers": {}}', encoding="utf-8"
    )  # escape sequences are refused where the file is read (test_edges); direction overrides get this far
    for fmt in ("text", "markdown"):
        done = subprocess.run(
            [sys.executable, "-m", "candidacy", "evaluate", "--criteria", str(root / "criteria" / "itb_pump.yaml"),
             "--answers", str(answers), "--format", fmt], capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert "\u202e" not in done.stdout and "\u2066" not in done.stdout
        assert re.search(r"L\\{1,2}u202eevil\\{1,2}u2066x", done.stdout)  # Markdown also escapes the backslash


SCREEN_APP = """
import streamlit as st
from candidacy.text import screen_literal
typed = {typed!r}
st.markdown("M|" + screen_literal(typed))
st.caption("C|" + screen_literal(typed))
st.error("E|" + screen_literal(typed))
with st.expander("X|" + screen_literal(typed)):
    st.write("inside")
st.radio("R|" + screen_literal(typed), ["a"])
"""


@pytest.mark.browser
def test_streamlit_shows_user_text_as_typed(tmp_path: Path) -> None:
    """In the real browser: no maths, colour, emoji, icon, link, bold or HTML from a note or label."""
    from playwright.sync_api import sync_playwright

    from .browser_support import CHROMIUM_ARGS, chromium_path, free_port

    executable = chromium_path()
    typed = f"{HOSTILE} {ESCAPES}"
    script = tmp_path / "screen.py"
    script.write_text(SCREEN_APP.format(typed=typed), encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "streamlit did not start"
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text("R|", exact=False).first.wait_for()
            page.get_by_text("E|", exact=False).first.wait_for()
            blocks = page.locator('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]')
            expected = " ".join(printable(typed).split())
            seen: set[str] = set()
            for i in range(blocks.count()):
                block = blocks.nth(i)
                text = " ".join(block.inner_text().replace(JOINER, "").split())
                if not text.startswith(("M|", "C|", "E|", "X|", "R|")):
                    continue
                seen.add(text[:2])
                assert text[2:].strip() == expected, text
                active = "a, img, strong, em, code, del, .katex, span[style], [data-testid='stIconMaterial']"
                assert block.locator(active).count() == 0, block.inner_html()
            assert seen == {"M|", "C|", "E|", "X|", "R|"}
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_screen_literal_differs_from_markdown_literal_only_in_colons() -> None:
    assert screen_literal(":red[x] :smile: 7:10: ok").replace("&#58;", ":") == markdown_literal(
        ":red[x] :smile: 7:10: ok"
    )


def test_zero_width_characters_are_shown_so_two_labels_never_print_alike() -> None:
    from candidacy.text import printable

    plain, hidden = "MS-2026-014", "MS-2026\u200b-014"
    assert printable(hidden) != printable(plain) and "\\u200b" in printable(hidden)
    for invisible in ("\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066"):
        assert printable(f"A{invisible}B") == f"A\\u{ord(invisible):04x}B"
