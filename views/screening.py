from candidacy.ui.screening_page import render

render()
