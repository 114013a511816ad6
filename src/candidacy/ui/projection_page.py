"""Projection: one case on one screen for the room, in large type.

Its own page and address (``/projection?case=<id>`` for a stored case; without ``case``, the case
open in this session, else the unsaved draft being written; with neither, it asks which case to
project rather than show an empty draft). Previous and Next (PageUp and PageDown, the keys a
presentation clicker sends) move through the cases of the same meeting date. It shows the case
header, the step for the meeting's question, the findings that matter (blocking ones first, in red
with their names), the gaps as counts, and the team's decision once recorded. Read from the back of
a meeting room: body text at least 28 px at 1280x720, growing with the screen; sized to fit 1280x720
and 1920x1080 without scrolling: long lists are cut to their first items with "and N more", and a
step waiting on decisive unknowns gives their count (they are named under Gaps).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.criteria.kinds import KINDS_BY_ID
from candidacy.criteria.models import CriteriaSet
from candidacy.draft import assess, draft_record
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.meeting import BLOCKING_KINDS, Counts, count, room_order, step_headline, team_decision
from candidacy.reports.record import Record
from candidacy.reports.render import escape_markdown
from candidacy.store import CaseStore
from candidacy.ui import cases_state
from candidacy.ui.layout import require_set
from candidacy.ui.state import draft_for

__all__ = ["render"]

CASE_PARAM = "case"
#: Up to this many blocking findings are shown with their statements; more are named by title only.
FEW_BLOCKING = 1

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
.stMainBlockContainer { padding: 1.2rem 2.5rem 0.5rem 2.5rem !important; max-width: 100% !important; }
.st-key-projection p, .st-key-projection li { font-size: clamp(28px, 2.2vw, 44px); line-height: 1.22; }
.st-key-projection li { margin: 0; }
.st-key-projection h1 { font-size: clamp(36px, 2.9vw, 58px); padding: 0; }
.st-key-projection [data-testid="stVerticalBlock"] { gap: 0.4rem; }
.st-key-projection [data-testid="stAlertContainer"] { padding: 0.45rem 0.8rem; }
.st-key-projection-step p { font-size: clamp(30px, 2.35vw, 47px); font-weight: 600; }
.st-key-projection-meta p, .st-key-projection-notice p { font-size: clamp(16px, 1.25vw, 25px); }
</style>
"""


def _case_param() -> int | None:
    raw = st.query_params.get(CASE_PARAM)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _go(case_id: int) -> None:
    st.query_params[CASE_PARAM] = str(case_id)


def render() -> None:
    cset = require_set()
    st.html(_CSS)
    case_id = _case_param()
    opened = cases_state.opened()
    if case_id is None and opened is not None:
        case_id = opened[0]
    status = "unsaved draft"
    neighbours: tuple[int | None, int | None] = (None, None)
    if case_id is None and _empty(draft_for(cset)):
        _ask_which_case()
        return
    try:
        if case_id is None:
            answers = draft_for(cset)
            record = draft_record(cset, answers)
        else:
            store = cases_state.store()
            detail = store.get(case_id)
            answers = detail.answers
            record = store.record(case_id)
            status = f"{detail.row.status} (revision {detail.row.revision})"
            neighbours = _neighbours(store, case_id, detail.row.meeting_date)
        decisive, routine = _gaps(cset, answers) if record.criteria.sha256 == cset.sha256 else ([], 0)
    except CandidacyError as error:
        st.error(f"This case cannot be shown: {escape_markdown(str(error))}")
        return
    with st.container(key="projection"):
        _projection(record, status, case_id, neighbours, decisive, routine)


def _empty(draft: AnswerSet) -> bool:
    """A draft with nothing in it (no answer, note or label): not a case to put before the room."""
    return not draft.answers and not draft.case.label.strip()


def _ask_which_case() -> None:
    """No case open: ask which one to project (never an empty draft, never a reassuring tick)."""
    st.title("Projection")
    st.markdown("Which case should the room see? Open one here, or from the Meeting page's agenda.")
    try:
        rows = cases_state.store().list_cases(limit=200)
    except CandidacyError as error:
        st.warning(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return
    if not rows:
        st.info("No stored case yet: save a case on the Assess a case page, then project it.")
        return
    labels = {
        r.id: f"#{r.id} · {r.label} · meeting {r.meeting_date.isoformat() if r.meeting_date else 'not set'}"
        for r in rows
    }
    chosen = st.selectbox(
        "Case to project",
        [None, *labels],
        format_func=lambda i: "choose a case" if i is None else labels[i],
        key="projection-choose",
    )
    if chosen is not None:
        _go(chosen)
        st.rerun()


def _gaps(cset: CriteriaSet, answers: AnswerSet) -> tuple[list[str], int]:
    """Titles of the unknowns that could change the step for the meeting's question (ranked), and how
    many routine checks remain to document before the current stage."""
    result = assess(cset, answers)
    decisive = [u.title for u in result.decisive_for(result.current_stage)]
    return decisive, len(result.routine_for(result.current_stage))


def _neighbours(store: CaseStore, case_id: int, meeting_date: dt.date | None) -> tuple[int | None, int | None]:
    """The previous and next case of the same meeting date, in agenda order."""
    if meeting_date is None:
        return None, None
    ids = sorted(r.id for r in store.list_cases(meeting_date=meeting_date))
    if case_id not in ids:
        return None, None
    at = ids.index(case_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def _projection(
    record: Record,
    status: str,
    case_id: int | None,
    neighbours: tuple[int | None, int | None],
    decisive: list[str],
    routine: int,
) -> None:
    counts = count(record)
    case = record.case
    title, nav = st.columns([2, 1], vertical_alignment="center")
    label = escape_markdown(case.label or "(no case label)")
    title.markdown(f"# Case {label}")
    previous, following = neighbours
    with nav, st.container(horizontal=True, horizontal_alignment="right"):
        if previous is not None:
            st.button(
                "Previous",
                key="projection-previous",
                icon=":material/arrow_back:",
                on_click=_go,
                args=(previous,),
                shortcut="PageUp",  # what a presentation clicker sends
            )
        if following is not None:
            st.button(
                "Next",
                key="projection-next",
                icon=":material/arrow_forward:",
                on_click=_go,
                args=(following,),
                shortcut="PageDown",
            )
    meeting = case.meeting_date.isoformat() if case.meeting_date else "no meeting date"
    stored = f"case #{case_id} · " if case_id is not None else ""
    if case.assessor:
        stored += f"assessed by {escape_markdown(case.assessor)} · "
    with st.container(key="projection-meta"):
        st.markdown(
            f"{stored}meeting {meeting} · {escape_markdown(status)} · answered {counts.answered} of "
            f"{counts.applicable} applicable items · {escape_markdown(record.criteria.title)} "
            f"{escape_markdown(record.criteria.version)}"
        )
    step = step_headline(record)
    with st.container(key="projection-step"):
        st.info(
            "Step for the meeting's question: " + (escape_markdown(step) if step else "none yet (answer more items)"),
            icon=":material/flag:",
        )
    decision = team_decision(record)
    if decision:
        st.success(f"**Team decision:** {escape_markdown(decision)}", icon=":material/gavel:")
    else:
        st.markdown(":grey[**Team decision:** not yet recorded]")
    _findings(record, counts, decisive, routine)
    with st.container(key="projection-notice"):
        st.caption(escape_markdown(record.notice))


def _findings(record: Record, counts: Counts, decisive: list[str], routine: int) -> None:
    """Blocking findings (with their statements when few), then cautions and factors; gaps beside them."""
    blocking, other = st.columns(2, gap="large")
    with blocking:
        few = counts.blocking <= FEW_BLOCKING
        for kind, heading in room_order():
            if kind in BLOCKING_KINDS and counts.of(kind):
                body = _list(record, kind) if few else _titles(record, kind)
                st.error(f"**{heading} ({counts.of(kind)})**\n\n{body}", icon=":material/block:")
        if not counts.blocking and not counts.unanswered:
            st.markdown(":green-badge[:material/check: No contraindication and no unmet prerequisite recorded]")
        elif not counts.blocking:  # nothing recorded yet is not reassurance: no tick while items are open
            st.markdown(
                f"No contraindication or unmet prerequisite recorded so far; {counts.unanswered} item(s) not yet "
                "answered."
            )
    with other:
        for kind in ("caution", "unfavourable"):
            if counts.of(kind):
                heading = dict(room_order())[kind]
                st.warning(f"**{heading} ({counts.of(kind)})**\n\n{_titles(record, kind)}", icon=":material/warning:")
        if counts.of("favourable"):
            st.markdown(
                f"**:green[:material/thumb_up: Factors in favour ({counts.of('favourable')})]**\n\n"
                + _titles(record, "favourable")
            )
        gaps = []
        if decisive:  # the most decisive two; the room reads the rest in the summary
            gaps.append(f"**{len(decisive)}** decisive (could change the step): {_cut(decisive, 2)}")
        if routine:
            gaps.append(f"**{routine}** routine check(s) to document")
        if counts.unanswered:
            gaps.append(f"**{counts.unanswered}** not yet answered")
        if counts.of("missing"):
            gaps.append(
                f"**{counts.of('missing')}** missing information (answered Unknown): " + _titles(record, "missing")
            )
        st.markdown(
            "**:orange[:material/help: Gaps]**\n\n"
            + ("\n".join(f"- {g}" for g in gaps) if gaps else "None: every applicable item is answered.")
        )


def _list(record: Record, kind: str) -> str:
    """Findings with their statements, one a line (for the few blocking findings)."""
    findings = record.by_kind(kind)
    lines = [f"- **{escape_markdown(f.title)}**: {escape_markdown(f.statement)}" for f in findings[:FEW_BLOCKING]]
    return "\n".join(lines)


def _titles(record: Record, kind: str) -> str:
    """Finding titles on one running line, cut to the first few with "and N more"."""
    return _cut([f.title for f in record.by_kind(kind)], KINDS_BY_ID[kind].projected)


def _cut(titles: list[str], limit: int) -> str:
    text = " · ".join(escape_markdown(t) for t in titles[:limit])
    return text + (f" · and {len(titles) - limit} more" if len(titles) > limit else "")
