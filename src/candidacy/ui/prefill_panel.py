"""The Assess page's "Propose answers from a FHIR record": upload a record, read its proposals, accept
or reject each one (or accept all); conflicts, out-of-date items and the import summary are shown.

The reading and the proposals are the core's (:mod:`candidacy.fhir.record`, :mod:`candidacy.fhir.prefill`);
an accepted proposal is an ordinary answer and note change through :func:`candidacy.ui.edits.accept`.
A proposal accepted or rejected leaves the list; a new upload starts the list again.
"""

from __future__ import annotations

import streamlit as st

from candidacy import clock
from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.values import answer_label
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import Answer
from candidacy.reports.render import escape_markdown
from candidacy.ui import edits, state
from candidacy.ui.callbacks import callback
from candidacy.ui.resources import criteria_dir

__all__ = ["render_prefill"]


def _propose(cset: CriteriaSet, files: list[tuple[str, bytes]]) -> object:
    """The proposals for the uploaded files, or the error lines that say why there are none."""
    from candidacy.fhir.prefill import propose  # fhir.resources loads on the first upload, not with the page
    from candidacy.fhir.prefill_rules import find_rules
    from candidacy.fhir.record import read_record

    try:
        rules = find_rules(criteria_dir(), cset)
        if rules is None:
            return [f"No prefill rules for the criteria set '{cset.id}' (fhir/{cset.id}_prefill.yaml)."]
        record = read_record(files, clock.today())
        on = state.draft_for(cset).case.assessed_on or clock.today()
        return propose(cset, rules, record, on)
    except CandidacyError as error:
        return [str(p) for p in error.problems]


def render_prefill(cset: CriteriaSet) -> None:
    with st.expander("Propose answers from a FHIR record", icon=":material/clinical_notes:"):
        uploads = st.file_uploader(
            "The patient's record: a FHIR Bundle (JSON; R4, R4B or R5) or Bulk Data NDJSON files",
            type=["json", "ndjson"],
            accept_multiple_files=True,
            key=state.PREFILL_UPLOAD,
        )
        if not uploads:
            for name in (state.PREFILL_SEEN, state.PREFILL_RESULT, state.PREFILL_DONE):
                st.session_state.pop(name, None)
            st.caption("Nothing from the record becomes an answer until you accept it.")
            return
        seen = tuple(u.file_id for u in uploads)
        if st.session_state.get(state.PREFILL_SEEN) != seen:
            st.session_state[state.PREFILL_SEEN] = seen
            st.session_state[state.PREFILL_DONE] = set()
            st.session_state[state.PREFILL_RESULT] = _propose(cset, [(u.name, u.getvalue()) for u in uploads])
        _show(cset, st.session_state[state.PREFILL_RESULT])


def _show(cset: CriteriaSet, result: object) -> None:
    from candidacy.fhir.prefill import Prefill
    from candidacy.fhir.prefill_report import summary_lines

    if not isinstance(result, Prefill):
        lines = "\n".join(f"- {escape_markdown(str(line))}" for line in result)  # type: ignore[attr-defined]
        st.error(f"The record was not read; nothing was changed.\n\n{lines}")
        return
    done: set[str] = st.session_state.get(state.PREFILL_DONE, set())
    open_ = [p for p in result.proposals if p.criterion not in done]
    answers = state.draft_for(cset).answers
    replacing = {p.criterion: label for p in open_ if (label := _replaced(cset, answers, p.criterion, p.value))}
    st.caption(
        f"Assessment date {result.on.isoformat()}. Nothing below is an answer until you accept it; "
        "an accepted answer keeps where it came from in the item's note."
    )
    free = [p.criterion for p in open_ if p.criterion not in replacing]
    if free:
        st.button(
            f"Accept all {len(free)} proposals" + (" for unanswered items" if replacing else ""),
            key="prefill-accept-all",
            on_click=_accept,
            args=(cset, free),
            icon=":material/done_all:",
        )
    for p in open_:
        with st.container(border=True, key=f"prefill-{p.criterion}"):
            st.markdown(f"**{escape_markdown(p.title)}**: {escape_markdown(p.label)}")
            st.caption(escape_markdown(p.note_line()))
            if p.check:
                st.caption(f":material/help: Check before accepting: {escape_markdown(p.check)}")
            if p.criterion in replacing:
                st.caption(f"Accepting replaces the answer given: {escape_markdown(replacing[p.criterion])}.")
            accept, reject = st.columns(2)
            accept.button("Accept", key=f"prefill-accept-{p.criterion}", on_click=_accept, args=(cset, [p.criterion]))
            reject.button("Reject", key=f"prefill-reject-{p.criterion}", on_click=_reject, args=(p.criterion,))
    for c in result.conflicts:
        said = "; ".join(f"{label} ({', '.join(s.line() for s in cand.sources)})" for label, cand in c.candidates)
        st.warning(
            f"**{escape_markdown(c.title)}**: the record says different things, so nothing is proposed: "
            f"{escape_markdown(said)}"
        )
    for s in result.stale:
        where = "; ".join(x.line() for x in s.sources)
        st.info(
            f"**{escape_markdown(s.title)}**: {escape_markdown(s.label)}, from {escape_markdown(where)}: older than "
            f"{s.look_back_months} months, so not proposed."
        )
    st.caption(escape_markdown(" ".join(summary_lines(result))))


def _replaced(cset: CriteriaSet, answers: dict[str, Answer], criterion: str, proposed: str | int) -> str:
    """The label of the answer an item holds when accepting would change it, else ''."""
    given = answers[criterion].value if criterion in answers else None
    if given is None or isinstance(given, bool) or given == proposed:
        return ""
    return answer_label(cset.criteria_by_id[criterion], cset, given)


@callback
def _accept(cset: CriteriaSet, criteria: list[str]) -> None:
    from candidacy.fhir.prefill import Prefill, acceptance, accepted

    result = st.session_state.get(state.PREFILL_RESULT)
    if not isinstance(result, Prefill):
        return
    done: set[str] = st.session_state.setdefault(state.PREFILL_DONE, set())
    chosen = [
        p for p in result.proposals if p.criterion in criteria and p.criterion not in done
    ]  # never a rejected one
    draft = state.draft_for(cset)
    changes = [change for p in chosen for change in acceptance(draft, p)]
    edits.accept(cset, changes, f"{len(chosen)} proposals accepted from the FHIR record")
    now = state.draft_for(cset)  # what the store took: a refused proposal stays listed, to accept again
    done.update(p.criterion for p in chosen if accepted(now, p))


@callback
def _reject(criterion: str) -> None:
    st.session_state.setdefault(state.PREFILL_DONE, set()).add(criterion)
