from candidacy.ui.projection_page import render

render()
