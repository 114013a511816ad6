"""Values typed on the grid land in their own time point and measure; history changes only as a
correction with a reason; no sequence of edits moves a value to another time point."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candidacy.identity import Identity
from candidacy.screening.cells import measures, read_cell
from candidacy.screening.protocol import Protocol
from candidacy.screening.ward import choose_definition, mark_given, new_worksheet, prepare_dose, set_value
from candidacy.screening.worksheet import Worksheet, WorksheetError

from .screening_support import START, protocol

NURSE = Identity(name="N. Example", role="Ward nurse", source="personal")
PROTO = protocol()


def _given(proto: Protocol) -> Worksheet:
    ws = new_worksheet(proto, "T-1")
    ws = choose_definition(proto, ws, "mean_lower_limb_ashworth_1", NURSE, START - dt.timedelta(days=1))
    ws = prepare_dose(proto, ws, 50)
    ws = set_value(proto, ws, 0, 0, "tone.hip_adductors.left", "3", NURSE, START - dt.timedelta(minutes=10))
    return mark_given(proto, ws, 0, NURSE, START)


def test_the_columns_follow_the_plan_and_mark_what_the_reading_needs() -> None:
    ws = _given(PROTO)
    columns = {m.key: m for m in measures(PROTO, ws)}
    assert columns["tone.knee_extensors.right"].required and columns["tone.knee_extensors.right"].options[2] == "1+"
    assert not columns["spasms"].required  # the mean-tone definition does not read spasms
    assert columns["function.standing"].required
    assert "function.walking" not in columns and "walk_seconds" not in columns  # not a walker
    assert columns["vitals.heart_rate"].kind == "number" and not columns["vitals.heart_rate"].required


def test_a_value_goes_into_its_own_time_point_and_keeps_the_baseline_time() -> None:
    ws = _given(PROTO)
    ws = set_value(PROTO, ws, 0, 2, "tone.hip_adductors.left", "2", NURSE, START + dt.timedelta(hours=2))
    base, two = ws.doses[0].at_hour(0), ws.doses[0].at_hour(2)
    assert base is not None and two is not None
    assert read_cell(base, "tone.hip_adductors.left") == "3" and base.at == START - dt.timedelta(minutes=10)
    assert read_cell(two, "tone.hip_adductors.left") == "2"


def test_the_baseline_after_the_dose_changes_only_as_a_correction_with_a_reason() -> None:
    ws = _given(PROTO)
    later = START + dt.timedelta(hours=1)
    with pytest.raises(WorksheetError, match=r"the baseline of tone\.hip_adductors\.left was 3.*needs a reason"):
        set_value(PROTO, ws, 0, 0, "tone.hip_adductors.left", "2", NURSE, later)
    fixed = set_value(PROTO, ws, 0, 0, "tone.hip_adductors.left", "2", NURSE, later, reason="typed in the wrong row")
    base = fixed.doses[0].at_hour(0)
    assert base is not None and read_cell(base, "tone.hip_adductors.left") == "2"
    [correction] = base.corrections
    assert (correction.old, correction.new, correction.reason) == ("3", "2", "typed in the wrong row")
    from candidacy.screening.render import result_text
    from candidacy.screening.result import compute_result

    shown = "Baseline tone.hip_adductors.left: 3 changed to 2 by N. Example (Ward nurse) at 2026-11-21 09:00. "
    assert compute_result(PROTO, fixed).doses[0].corrections == [shown + "Reason: typed in the wrong row"]
    assert "Correction: " + shown in result_text(PROTO, fixed)
    # a first value typed late from paper is not a correction; the stamp stays before the dose
    paper = set_value(PROTO, ws, 0, 0, "spasms", "3", NURSE, later)
    assert paper.doses[0].at_hour(0).corrections == []  # type: ignore[union-attr]


def test_a_value_changed_after_a_later_time_point_exists_needs_a_reason() -> None:
    ws = _given(PROTO)
    ws = set_value(PROTO, ws, 0, 2, "spasms", "2", NURSE, START + dt.timedelta(hours=2))
    ws = set_value(PROTO, ws, 0, 2, "spasms", "1", NURSE, START + dt.timedelta(hours=2))  # still the latest: free
    ws = set_value(PROTO, ws, 0, 4, "spasms", "1", NURSE, START + dt.timedelta(hours=4))
    with pytest.raises(WorksheetError, match="the 2 h value of spasms was 1"):
        set_value(PROTO, ws, 0, 2, "spasms", None, NURSE, START + dt.timedelta(hours=4))


def test_nothing_but_the_baseline_before_the_dose_and_no_unknown_measure_or_level() -> None:
    ws = new_worksheet(PROTO, "T-2")
    ws = choose_definition(PROTO, ws, "mean_lower_limb_ashworth_1", NURSE, START - dt.timedelta(days=1))
    ws = prepare_dose(PROTO, ws, 50)
    with pytest.raises(WorksheetError, match="not recorded as given yet"):
        set_value(PROTO, ws, 0, 2, "spasms", "2", NURSE, START)
    with pytest.raises(WorksheetError, match="unknown measure"):
        set_value(PROTO, ws, 0, 0, "tone.hip_adductors.middle", "2", NURSE, START)
    with pytest.raises(WorksheetError, match="'5' is not a level"):
        set_value(PROTO, ws, 0, 0, "tone.hip_adductors.left", "5", NURSE, START)
    with pytest.raises(WorksheetError, match="3 h is not an observation time"):
        set_value(PROTO, ws, 0, 3, "spasms", "2", NURSE, START)


_HOURS = PROTO.observation.times_hours
_KEYS = ["tone.hip_adductors.left", "tone.knee_extensors.right", "spasms", "function.transfers", "vitals.heart_rate"]
_VALUES = {
    "tone.hip_adductors.left": ["0", "1", "1+", "2", "3", "4", None],
    "tone.knee_extensors.right": ["0", "2", "4", None],
    "spasms": ["0", "2", "4", None],
    "function.transfers": ["unaided", "with_help", "unable", None],
    "vitals.heart_rate": [60.0, 72.0, 110.0, None],
}
_EDITS = st.lists(
    st.tuples(st.sampled_from(_HOURS), st.sampled_from(_KEYS), st.integers(0, 6), st.booleans()), max_size=30
)


@settings(max_examples=150, deadline=None)
@given(_EDITS)
def test_no_sequence_of_edits_moves_a_value_to_another_time_point(
    edits: list[tuple[int, str, int, bool]],
) -> None:
    ws = _given(PROTO)
    typed: dict[tuple[int, str], object] = {(0, "tone.hip_adductors.left"): "3"}
    for step, (hour, key, pick, with_reason) in enumerate(edits):
        value = _VALUES[key][pick % len(_VALUES[key])]
        at = START + dt.timedelta(hours=8, minutes=step)
        try:
            ws = set_value(PROTO, ws, 0, hour, key, value, NURSE, at, reason="checked" if with_reason else "")
        except WorksheetError:
            continue  # refused: nothing changed
        typed[(hour, key)] = value
    for point in ws.doses[0].observations:
        for key in _KEYS:
            assert read_cell(point, key) == typed.get((point.hour, key)), (point.hour, key)
    for (hour, key), value in typed.items():
        point = ws.doses[0].at_hour(hour)
        assert read_cell(point, key) == value
        if point is not None:
            assert point.hour == hour
