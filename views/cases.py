from candidacy.ui.cases_page import render

render()
