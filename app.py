"""candidacy: decision support for ITB pump candidate selection. A thin router; pages live in views/."""

import streamlit as st

from candidacy.ui.heap import settle
from candidacy.ui.identity import require_sign_in
from candidacy.ui.layout import page_styles, sidebar

st.set_page_config(page_title="candidacy: ITB selection criteria", page_icon=":material/fact_check:", layout="wide")
require_sign_in()  # team mode: nothing is shown before sign-in; personal mode: no login
page = st.navigation(
    [
        st.Page("views/assess.py", title="Assess a case", icon=":material/fact_check:", default=True),
        st.Page("views/cases.py", title="Cases", icon=":material/folder_open:"),
        st.Page("views/meeting.py", title="Meeting", icon=":material/groups:"),
        st.Page("views/projection.py", title="Projection", icon=":material/present_to_all:", url_path="projection"),
        st.Page("views/screening.py", title="Screening test", icon=":material/science:"),
        st.Page("views/criteria.py", title="Criteria", icon=":material/menu_book:"),
        st.Page("views/learn.py", title="Learn", icon=":material/school:"),
    ]
)
sidebar()
page_styles()
page.run()
settle()  # after a run that imported modules, the next collections leave them out
