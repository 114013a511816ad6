from candidacy.ui.meeting_page import render

render()
