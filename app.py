"""Streamlit entry point (placeholder until the checklist app lands): shows the criteria set loads."""

from pathlib import Path

import streamlit as st

from candidacy import CandidacyError, load_criteria

st.set_page_config(page_title="candidacy", layout="wide")
st.title("candidacy — ITB pump selection criteria")
st.caption("Decision support for clinician review; it does not decide.")
try:
    cset = load_criteria(Path(__file__).parent / "criteria" / "itb_pump.yaml")
except CandidacyError as error:
    st.error("The criteria file is not valid:\n\n" + "\n".join(f"- {p}" for p in error.problems))
else:
    st.write(f"{cset.title}, version {cset.version}: {len(cset.criteria_by_id)} criteria.")
