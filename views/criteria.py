from candidacy.ui.criteria_page import render

render()
