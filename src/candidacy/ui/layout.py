"""What every page shares: the criteria set picker, who is acting, criteria-file problems, and print styles."""

from __future__ import annotations

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.reports.render import escape_markdown
from candidacy.settings import load_settings
from candidacy.ui.identity import identity_sidebar
from candidacy.ui.resources import catalogue
from candidacy.ui.state import SET_KEY, current_set

__all__ = ["page_styles", "require_set", "sidebar"]

_PAGE_CSS = """
<style>
/* The summary flows with the page (no inner scroll box); its status strip stays in view. */
@media screen and (min-width: 900px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-summary) { flex: 1 1 auto; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-summary-strip) {
    position: sticky; top: 3.75rem; z-index: 3; background: var(--st-background-color, #fff);
    padding: 0.25rem 0 0.5rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.2);
  }
}
/* Narrow screens: the summary sits below the whole checklist, so one line with the step for the
   meeting's question stays in view at the top; on wide screens the summary beside the checklist says it. */
.st-key-step-line { display: none; }
@media screen and (max-width: 899px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-step-line) {
    position: sticky; top: 3.75rem; z-index: 4; background-color: #ffffff; padding: 0.3rem 0;
    border-bottom: 1px solid rgba(49, 51, 63, 0.2); overflow: hidden;
  }
  .st-key-step-line { display: block; background-color: #ffffff; }
  .st-key-step-line [data-testid="stMarkdown"], .st-key-step-line [data-testid="stMarkdownContainer"],
  .st-key-step-line [data-testid="stElementContainer"] { margin: 0 !important; }
  .st-key-step-line p {
    margin: 0 !important; line-height: 1.5; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  }
}
/* Every answer option in sight: option rows wrap instead of scrolling sideways (no hidden option, no
   hidden chosen answer), and on a phone a long option wraps inside its own button. */
[data-testid="stButtonGroup"] [role="radiogroup"] { flex-wrap: wrap; overflow-x: visible; row-gap: 0.4rem; }
[data-testid="stButtonGroup"] [role="radio"] { max-width: 100%; height: auto; min-height: 2.5rem; }
[data-testid="stButtonGroup"] [role="radio"], [data-testid="stButtonGroup"] [role="radio"] * {
  white-space: normal; overflow-wrap: anywhere; text-align: left;
}
/* Captions readable by everyone: Streamlit's grey (#7f7e7d, 3.8:1 on the sidebar) is below WCAG AA's 4.5:1. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5c5b5a; opacity: 1; }
/* The teaching vignette stays in view beside the checklist. */
@media screen and (min-width: 900px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-learn-letter) {
    position: sticky; top: 3.75rem; max-height: calc(100vh - 5rem); overflow-y: auto;
  }
}
@media print {
  [data-testid="stLayoutWrapper"]:has(> .st-key-summary-strip),
  [data-testid="stLayoutWrapper"]:has(> .st-key-learn-letter) {
    position: static !important; max-height: none !important; overflow: visible !important;
  }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stFileUploader"], [data-testid="stDownloadButton"], .stDeployButton { display: none !important; }
  [data-testid="stExpanderDetails"] { display: block !important; }
  .stMainBlockContainer { padding-top: 0 !important; max-width: 100% !important; }
}
</style>
"""


def page_styles() -> None:
    """Screen and print styles: the summary's status strip and the vignette stay in view; on paper, no controls."""
    st.html(_PAGE_CSS)


def sidebar() -> None:
    cat = catalogue()
    with st.sidebar:
        if len(cat.sets) > 1:
            ids = list(cat.sets)
            st.selectbox(
                "Criteria set",
                ids,
                index=ids.index(cat.default_id) if cat.default_id in ids else 0,
                key=SET_KEY,
                format_func=lambda i: cat.sets[i].title,
            )
        identity_sidebar()
        cset = current_set()
        if cset is not None:
            st.caption(f"{escape_markdown(cset.title)} · version {cset.version} · reviewed {cset.review_date}")
        where = "in the team's database" if load_settings().mode == "team" else "on this machine"
        st.caption(f"Decision support for clinician review. Cases stay {where}; nothing is sent elsewhere.")


def require_set() -> CriteriaSet:
    """The chosen criteria set; if a criteria file is invalid, its problems are shown, not a crash."""
    cat = catalogue()
    for path, problems in cat.problems.items():
        st.error(
            f"The criteria file {escape_markdown(path)} is not valid and is not offered:\n\n"
            + "\n".join(f"- {escape_markdown(str(p))}" for p in problems)
        )
    cset = current_set()
    if cset is None:
        st.warning("No valid criteria set is available. Fix the file named above and restart the app.")
        st.stop()
    return cset
