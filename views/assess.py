from candidacy.ui.assess_page import render

render()
