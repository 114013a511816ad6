"""Learn, Screening and Cases keep their choices in the address, through AppTest.

Opening an address shows what it names; a choice on the page writes it to the address (and a choice
at its default leaves the address bare); a changed address (back/forward) is followed; a value that
names nothing gives a plain-text message, the default is shown, and the address is put right.
"""

from __future__ import annotations

import datetime as dt
import re

from streamlit.testing.v1 import AppTest

from candidacy.identity import Identity
from candidacy.reports.render import escape_markdown
from candidacy.store.screening import ScreeningStore

from .conftest import ROOT
from .screening_support import protocol
from .store_fixtures import app_store

APP = str(ROOT / "app.py")
ME = Identity(name="Dr A. Example", role="Consultant", source="personal")
DAY = dt.date(2026, 12, 3)
HOSTILE = "**bold** [link](http://example.org) :red[red] $x$ <b>" + "x" * 5000


def at(address: dict[str, str], page: str, app: AppTest | None = None) -> AppTest:
    """The app opened at ``page`` with this address (a link, a bookmark); or, given ``app``, its
    address changed as back/forward changes it, with the same session."""
    if app is None:
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params.update(address)
        app.switch_page(page).run()
    else:
        app.query_params.clear()
        app.query_params.update(address)
        app.run()
    assert not app.exception, app.exception
    return app


def address(app: AppTest) -> dict[str, str]:
    return {name: value[-1] if isinstance(value, list) else value for name, value in app.query_params.items()}


def warnings(app: AppTest) -> list[str]:
    return [w.value for w in app.warning]


def assert_named_as_text(app: AppTest, raw: str) -> None:
    """The bad value is named in a warning, shortened, and as plain text (never as Markdown)."""
    shown = " ".join(warnings(app))
    assert escape_markdown(f"'{raw[:20]}") in shown, shown
    assert raw not in shown and len(shown) < 1000  # shortened, not the whole value
    assert "**bold**" not in shown and "[link](" not in shown


# -- Learn ------------------------------------------------------------------------------------------


def test_learn_opens_the_vignette_the_address_names_and_writes_the_one_chosen() -> None:
    app = at({"vignette": "v09_true_allergy"}, "views/learn.py")
    assert app.selectbox(key="learn-vignette").value == "v09_true_allergy"
    assert "Documented anaphylaxis to baclofen" in [s.value for s in app.subheader]
    assert address(app) == {"vignette": "v09_true_allergy"}
    assert not warnings(app)
    app.selectbox(key="learn-vignette").set_value("v05_focal_mild").run()
    assert address(app) == {"vignette": "v05_focal_mild"}
    # A filter that changes the vignette shown changes the address too.
    app.selectbox(key="learn-theme").set_value("contraindication").run()
    assert address(app) == {"vignette": app.selectbox(key="learn-vignette").value} == {"vignette": "v08_recent_tbi"}
    # The first vignette is the default: choosing it leaves the address bare.
    app.selectbox(key="learn-theme").set_value("any").run()
    app.selectbox(key="learn-vignette").set_value("v01_ms_wheelchair").run()
    assert address(app) == {}


def test_learn_follows_back_and_forward_and_clears_a_filter_that_hides_the_vignette() -> None:
    app = at({}, "views/learn.py")
    assert app.selectbox(key="learn-vignette").value == "v01_ms_wheelchair"
    assert address(app) == {}  # a bare address stays bare
    app.selectbox(key="learn-theme").set_value("contraindication").run()
    at({"vignette": "v05_focal_mild"}, "", app)  # back to a vignette the theme filter hides
    assert app.selectbox(key="learn-vignette").value == "v05_focal_mild"
    assert app.selectbox(key="learn-theme").value == "any"
    at({}, "", app)
    assert app.selectbox(key="learn-vignette").value == "v01_ms_wheelchair"


def test_learn_tab_and_teaching_worksheet_are_in_the_address() -> None:
    app = at({"tab": "screening", "teaching": "t02_tone_reduced_function_lost"}, "views/learn.py")
    assert app.session_state["learn-tab"] == "Judge a screening worksheet"
    assert app.selectbox(key="learn-screening-chosen").value == "t02_tone_reduced_function_lost"
    assert address(app) == {"tab": "screening", "teaching": "t02_tone_reduced_function_lost"}
    app.selectbox(key="learn-screening-chosen").set_value("t01_responder").run()
    assert address(app) == {"tab": "screening"}
    at({}, "", app)  # back to the bare address: the first tab
    assert app.session_state["learn-tab"] == "Practise on a vignette"


def test_learn_address_naming_nothing_says_so_and_shows_the_first() -> None:
    app = at({"vignette": HOSTILE, "tab": "nowhere", "teaching": "t99"}, "views/learn.py")
    assert_named_as_text(app, HOSTILE)
    shown = " ".join(warnings(app))
    assert "which is not a teaching vignette" in shown and "the first vignette is shown" in shown
    assert "'nowhere', which the Learn page does not have" in shown
    assert "teaching worksheet 't99', which does not exist" in shown
    assert app.selectbox(key="learn-vignette").value == "v01_ms_wheelchair"
    assert app.selectbox(key="learn-screening-chosen").value == "t01_responder"
    assert address(app) == {}  # put right


# -- Screening --------------------------------------------------------------------------------------


def _cases_with_worksheets() -> tuple[int, int, list[int], int]:
    """Two cases: the first with two worksheets, the second with one."""
    db = app_store()
    first = db.create_case("itb_pump", "SCR-address-1", None, ME)
    second = db.create_case("itb_pump", "SCR-address-2", None, ME)
    proto = protocol()
    sheets = ScreeningStore(db, {proto.id: proto})
    ids = [sheets.create(first, proto.id, ME), sheets.create(first, proto.id, ME)]
    return first, second, ids, sheets.create(second, proto.id, ME)


def test_screening_opens_the_worksheet_the_address_names_and_writes_the_one_chosen() -> None:
    first, second, (older, latest), other = _cases_with_worksheets()
    app = at({"case": str(first), "worksheet": str(older)}, "views/screening.py")
    assert app.selectbox(key="screening-case").value == first
    assert app.selectbox(key="screening-worksheet").value == older
    assert app.session_state["screening-open"] == older
    assert address(app) == {"case": str(first), "worksheet": str(older)}
    app.selectbox(key="screening-worksheet").set_value(latest).run()
    assert address(app) == {"case": str(first), "worksheet": str(latest)}
    app.selectbox(key="screening-case").set_value(second).run()
    assert address(app) == {"case": str(second), "worksheet": str(other)}
    at({"case": str(first)}, "", app)  # back to a link without a worksheet: the case's latest
    assert app.selectbox(key="screening-worksheet").value == latest
    at({}, "", app)  # the bare page: no case chosen
    assert app.selectbox(key="screening-case").value is None
    assert address(app) == {}


def test_screening_address_naming_no_case_or_worksheet_says_so() -> None:
    first, _second, (_older, latest), other = _cases_with_worksheets()
    for raw in ("999", "²", "-1", HOSTILE):
        app = at({"case": raw, "worksheet": "1"}, "views/screening.py")
        assert any("which is not a stored case" in w for w in warnings(app)), warnings(app)
        assert app.selectbox(key="screening-case").value is None
        assert address(app) == {}
    assert_named_as_text(app, HOSTILE)
    app = at({"case": str(first), "worksheet": str(other)}, "views/screening.py")  # another case's worksheet
    assert f"'{other}', which is not a screening worksheet of case {first}: its latest" in " ".join(warnings(app))
    assert app.selectbox(key="screening-worksheet").value == latest
    assert address(app) == {"case": str(first), "worksheet": str(latest)}


# -- Cases ------------------------------------------------------------------------------------------


def _listed(app: AppTest) -> list[str]:
    """The labels of the cases listed (their summary lines), in order."""
    return [found[0] for m in app.markdown if (found := re.search(r"[A-Z]+-filter-\d+", m.value))]


def test_cases_filters_come_from_the_address_and_go_to_it() -> None:
    db = app_store()
    db.create_case("itb_pump", "MS-filter-01", DAY, ME)
    db.create_case("itb_pump", "MS-filter-02", None, ME)
    gone = db.create_case("itb_pump", "MS-filter-03", DAY, ME)
    db.archive(gone, db.get(gone).row.lock_version, ME)
    db.create_case("itb_pump", "SCI-filter-04", DAY, ME)
    app = at({"date": DAY.isoformat(), "label": "ms", "status": "draft", "archived": "yes"}, "views/cases.py")
    assert app.date_input(key="filter-meeting").value == DAY
    assert app.selectbox(key="filter-status").value == "draft"
    assert app.text_input(key="filter-search").value == "ms"
    assert app.checkbox(key="filter-archived").value is True
    assert sorted(_listed(app)) == ["MS-filter-01", "MS-filter-03"], _listed(app)
    assert not warnings(app)
    app.checkbox(key="filter-archived").uncheck().run()
    assert address(app) == {"date": DAY.isoformat(), "label": "ms", "status": "draft"}
    assert _listed(app) == ["MS-filter-01"]
    app.date_input(key="filter-meeting").set_value(None).run()
    app.text_input(key="filter-search").input("").run()
    app.selectbox(key="filter-status").set_value("any").run()
    assert address(app) == {}  # no filter: the bare address
    assert len(_listed(app)) == 3
    at({"label": "SCI"}, "", app)  # back/forward to a filtered list
    assert app.text_input(key="filter-search").value == "SCI"
    assert _listed(app) == ["SCI-filter-04"]


def test_cases_address_with_unusable_filters_says_so_and_does_not_apply_them() -> None:
    app_store().create_case("itb_pump", "MS-filter-01", DAY, ME)
    app = at(
        {"date": "2026-13-40", "status": HOSTILE, "label": "y" * 121, "archived": "maybe"},
        "views/cases.py",
    )
    shown = " ".join(warnings(app))
    assert "'2026-13-40', which is not a date (YYYY-MM-DD)" in shown
    assert "a label filter of 121 characters" in shown
    assert "'maybe' for including archived cases, which is neither yes nor no" in shown
    assert_named_as_text(app, HOSTILE)
    assert app.selectbox(key="filter-status").value == "any"
    assert app.date_input(key="filter-meeting").value is None
    assert app.text_input(key="filter-search").value == ""
    assert _listed(app) == ["MS-filter-01"]
    assert address(app) == {}
    app = at({"label": "MS\x00\u202e"}, "views/cases.py")  # a database would refuse the NUL
    assert "a label filter with control or direction characters" in " ".join(warnings(app))
    assert _listed(app) == ["MS-filter-01"]
