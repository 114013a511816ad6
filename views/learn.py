from candidacy.ui.learn_page import render

render()
