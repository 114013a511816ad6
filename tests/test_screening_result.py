"""The computed result against hand-worked examples, one or more for each response definition.

Every expected number below was worked out by hand from the measurements written beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from candidacy.identity import Identity
from candidacy.screening.protocol import Protocol
from candidacy.screening.result import compute_result
from candidacy.screening.ward import choose_definition, confirm, give_dose, new_worksheet
from candidacy.screening.worksheet import WorksheetError

from .screening_support import START, dose, full_day, legs, protocol, worksheet

GIL = "mean_lower_limb_ashworth_1"
MEY = "two_points_ashworth_or_penn"
GOALS = "goals_met"
ME = Identity(name="Dr A. Example", role="Consultant", source="personal")


@pytest.fixture(scope="module")
def proto() -> Protocol:
    return protocol()


# -- the cerebral palsy trial's definition: mean lower-limb Ashworth falls by at least 1.0 ---------


def test_mean_fall_of_more_than_one_is_met(proto: Protocol) -> None:
    # baseline 3,3,3,3 -> mean 3.0; at 4 h 2,2,2,1+ -> (2+2+2+1.5)/4 = 1.875; fall 1.125
    ws = worksheet(GIL, [dose(50, 0, full_day({"tone": legs(3, 3, 3, 3)}, {"tone": legs(2, 2, 2, "1+")}))])
    result = compute_result(proto, ws)
    first = result.doses[0]
    assert first.status == "met"
    assert ("Largest fall", "1.12") in first.numbers or ("Largest fall", "1.13") in first.numbers
    assert "from 3.0 at baseline to 1.88 at 4 h" in first.sentence
    assert result.computed == "positive_function_kept"
    assert "needs no larger dose" in result.next_step


def test_a_fall_of_exactly_one_is_met(proto: Protocol) -> None:
    ws = worksheet(GIL, [dose(50, 0, full_day({"tone": legs(3, 3, 3, 3)}, {"tone": legs(2, 2, 2, 2)}))])
    assert compute_result(proto, ws).doses[0].status == "met"


def test_a_fall_below_one_is_not_met_and_the_next_dose_follows_the_label(proto: Protocol) -> None:
    # at 4 h 2,2,3,1+ -> (2+2+3+1.5)/4 = 2.125; fall 0.875
    ws = worksheet(GIL, [dose(50, 0, full_day({"tone": legs(3, 3, 3, 3)}, {"tone": legs(2, 2, 3, "1+")}))])
    result = compute_result(proto, ws)
    assert result.doses[0].status == "not_met"
    assert ("Largest fall", "0.88") in result.doses[0].numbers
    assert result.computed == "unclear"
    earliest = START + dt.timedelta(hours=24)
    assert "allows 75 micrograms next" in result.next_step
    assert f"not before {earliest:%Y-%m-%d %H:%M} UTC" in result.next_step


def test_not_met_so_far_while_the_window_is_still_open(proto: Protocol) -> None:
    baseline = {"tone": legs(3, 3, 3, 3)}
    ws = worksheet(GIL, [dose(50, 0, {0: baseline, 1: {"tone": legs(3, 3, 2, 3)}})])
    result = compute_result(proto, ws)
    assert result.doses[0].status == "cannot_tell"
    assert "not met so far" in result.doses[0].sentence
    assert "Complete the measurements at 50 micrograms" in result.next_step


def test_without_a_baseline_the_definition_cannot_be_read(proto: Protocol) -> None:
    ws = worksheet(GIL, [dose(50, 0, {4: {"tone": legs(1, 1, 1, 1)}})])
    first = compute_result(proto, ws).doses[0]
    assert first.status == "cannot_tell"
    assert "needed" in first.sentence


def test_upper_limb_scores_do_not_count_for_a_lower_limb_definition(proto: Protocol) -> None:
    baseline = {"tone": {**legs(3, 3, 3, 3), "elbow_flexors": {"left": "4", "right": "4"}}}
    peak = {"tone": {**legs(3, 3, 3, 3), "elbow_flexors": {"left": "0", "right": "0"}}}
    ws = worksheet(GIL, [dose(50, 0, full_day(baseline, peak))])
    assert compute_result(proto, ws).doses[0].status == "not_met"


# -- the stroke trial's definition: 2 points on the affected side, or in the Penn score -------------


def test_affected_side_fall_of_two_is_met_and_the_other_side_is_ignored(proto: Protocol) -> None:
    # left (affected): 3,3 -> 1,1, fall 2.0; right unchanged at 2,2
    baseline = {"tone": legs(3, 2, 3, 2), "spasms": 2}
    peak = {"tone": legs(1, 2, 1, 2), "spasms": 2}
    ws = worksheet(MEY, [dose(50, 0, full_day(baseline, peak, peak_hour=6))], affected_side="left")
    first = compute_result(proto, ws).doses[0]
    assert first.status == "met"
    assert "left-side lower-limb Ashworth score fell by 2.0" in first.sentence


def test_both_sides_averaged_would_not_reach_two(proto: Protocol) -> None:
    baseline = {"tone": legs(3, 2, 3, 2), "spasms": 2}
    peak = {"tone": legs(1, 2, 1, 2), "spasms": 2}
    ws = worksheet(MEY, [dose(50, 0, full_day(baseline, peak, peak_hour=6))], affected_side="both")
    # both sides: (3+2+3+2)/4 = 2.5 -> (1+2+1+2)/4 = 1.5, fall 1.0 < 2; Penn unchanged
    assert compute_result(proto, ws).doses[0].status == "not_met"


def test_a_penn_fall_of_two_is_met_alone(proto: Protocol) -> None:
    baseline = {"tone": legs(3, 3, 3, 3), "spasms": 4}
    peak = {"tone": legs(2, 2, 2, 2), "spasms": 2}  # tone fall 1.0, Penn fall 2
    ws = worksheet(MEY, [dose(50, 0, full_day(baseline, peak))], affected_side="right")
    first = compute_result(proto, ws).doses[0]
    assert first.status == "met"
    assert "Penn spasm score fell by 2.0" in first.sentence


def test_a_fall_outside_the_window_does_not_count(proto: Protocol) -> None:
    # a 2-point fall at 2 h is before the 4-8 h window; inside it the fall is only 1
    baseline = {"tone": legs(3, 3, 3, 3), "spasms": 3}
    points = {0: baseline, 1: baseline, 2: {"tone": legs(1, 1, 1, 1), "spasms": 1}}
    points |= {h: {"tone": legs(2, 2, 2, 2), "spasms": 2} for h in (4, 6, 8)}
    ws = worksheet(MEY, [dose(50, 0, points)])
    assert compute_result(proto, ws).doses[0].status == "not_met"


# -- goal-based -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "status"),
    [
        ([("met"), ("met")], "met"),
        ([("met"), ("partly")], "not_met"),
        ([("met")], "cannot_tell"),
    ],
)
def test_goal_based(proto: Protocol, ratings: list[str], status: str) -> None:
    goals = [{"goal": i, "rating": r} for i, r in enumerate(ratings)]
    ws = worksheet(
        GOALS,
        [dose(50, 0, full_day({"tone": legs(3, 3, 3, 3)}, {"tone": legs(3, 3, 3, 3)}), goals=goals)],
        goals=["Sits four hours", "Care with one carer"],
    )
    first = compute_result(proto, ws).doses[0]
    assert first.status == status
    assert first.numbers[0] == ("Goal 1: Sits four hours", "met")


def test_goal_based_without_goals_cannot_be_read(proto: Protocol) -> None:
    ws = worksheet(GOALS, [dose(50, 0, full_day({"spasms": 3}, {"spasms": 1}))])
    assert compute_result(proto, ws).doses[0].status == "cannot_tell"


# -- function lost is flagged separately, never netted out by tone ---------------------------------


def test_tone_falls_but_standing_is_lost(proto: Protocol) -> None:
    baseline = {"tone": legs(3, 3, 3, 3), "function": {"standing": "unaided", "walking": "with_aid"}}
    peak = {"tone": legs(1, 1, 1, 1), "function": {"standing": "unable", "walking": "unable"}}
    ws = worksheet(GIL, [dose(50, 0, full_day(baseline, peak))], walks=True)
    result = compute_result(proto, ws)
    first = result.doses[0]
    assert first.status == "met"  # the tone definition is met ...
    assert [loss.sentence() for loss in first.function_lost] == [  # ... and the loss is listed on its own
        "Standing: stands without help at baseline, cannot stand at 4 h.",
        "Walking: walks with an aid or help at baseline, cannot walk at 4 h.",
    ]
    assert result.computed == "tone_reduced_function_lost"
    assert (
        "Function was lost at 50 micrograms (standing, walking); the chosen definition is met there"
        in result.outcome_sentence
    )
    assert result.next_dose is None and "Do not go on to a larger dose" in result.next_step


def test_a_slower_timed_walk_is_function_lost(proto: Protocol) -> None:
    # baseline 20 s; 25 s is 25% slower, beyond the protocol's 20%
    baseline = {"tone": legs(3, 3, 3, 3), "walk_seconds": 20}
    peak = {"tone": legs(1, 1, 1, 1), "walk_seconds": 25}
    ws = worksheet(GIL, [dose(50, 0, full_day(baseline, peak))], walks=True)
    losses = compute_result(proto, ws).doses[0].function_lost
    assert [loss.item for loss in losses] == ["timed_walk"]
    assert "25 seconds (more than 20% slower)" in losses[0].sentence()


def test_a_walk_within_the_margin_is_not_flagged(proto: Protocol) -> None:
    baseline = {"tone": legs(3, 3, 3, 3), "walk_seconds": 20}
    peak = {"tone": legs(1, 1, 1, 1), "walk_seconds": 24}
    ws = worksheet(GIL, [dose(50, 0, full_day(baseline, peak))], walks=True)
    assert compute_result(proto, ws).doses[0].function_lost == []


# -- the whole sequence ----------------------------------------------------------------------------


def _no_change(micrograms: int, day: int) -> dict[str, object]:
    same = {"tone": legs(3, 3, 3, 3), "spasms": 3}
    return dose(micrograms, day, full_day(same, same))


def test_no_response_at_100_micrograms_gives_the_label_statement(proto: Protocol) -> None:
    ws = worksheet(GIL, [_no_change(50, 0), _no_change(75, 1), _no_change(100, 2)])
    result = compute_result(proto, ws)
    assert [d.status for d in result.doses] == ["not_met"] * 3
    assert result.computed == "no_response_100"
    assert result.next_step == proto.outcome("no_response_100").next_step.strip()
    assert "advises against an implanted pump" in result.next_step


def test_a_low_first_dose_needs_a_reason_and_adds_a_step(proto: Protocol) -> None:
    ws = worksheet(GIL, [_no_change(25, 0)], start_dose=25, low_start_reason="relies_on_tone")
    assert "allows 50 micrograms next" in compute_result(proto, ws).next_step
    from candidacy.screening.checks import worksheet_faults

    bad = worksheet(GIL, [_no_change(25, 0)], start_dose=25)
    assert any("needs a reason" in message for _, message in worksheet_faults(proto, bad))


def test_doses_too_close_or_out_of_order_are_shown_as_deviations(proto: Protocol) -> None:
    early = _no_change(100, 0)
    early["given_at"] = (START + dt.timedelta(hours=20)).isoformat()
    ws = worksheet(GIL, [_no_change(50, 0), early])
    deviations = compute_result(proto, ws).doses[1].deviations
    assert "Dose 2 of the sequence is 75 micrograms; 100 was recorded." in deviations
    assert "Given 20.0 h after the previous dose; the protocol asks for at least 24 h." in deviations


# -- the definition is chosen before the first dose and not changed silently -----------------------


def test_the_definition_cannot_change_silently_after_the_first_dose(proto: Protocol) -> None:
    ws = new_worksheet(proto, "T-2")
    with pytest.raises(WorksheetError, match="before the first dose"):
        give_dose(proto, ws, 50, ME, START)
    ws = choose_definition(proto, ws, GIL, ME, START - dt.timedelta(hours=1))
    ws = choose_definition(proto, ws, MEY, ME, START - dt.timedelta(minutes=30))  # still free before the dose
    ws = give_dose(proto, ws, 50, ME, START)
    with pytest.raises(WorksheetError, match="needs a reason"):
        choose_definition(proto, ws, GOALS, ME, START + dt.timedelta(hours=2))
    changed = choose_definition(proto, ws, GOALS, ME, START + dt.timedelta(hours=2), reason="tone hard to read")
    result = compute_result(proto, changed)
    assert result.amendments == [
        "2026-11-21 10:00: Dr A. Example (Consultant) changed the definition from "
        "'two_points_ashworth_or_penn' to 'goals_met'. Reason: tone hard to read"
    ]


def test_confirming_another_outcome_than_computed_needs_a_comment(proto: Protocol) -> None:
    ws = worksheet(GIL, [_no_change(50, 0)])
    with pytest.raises(WorksheetError, match="say why"):
        confirm(ws, "positive_function_kept", "unclear", ME, START)
    done = confirm(ws, "unclear", "unclear", ME, START + dt.timedelta(days=1))
    with pytest.raises(WorksheetError, match="reopen"):
        give_dose(proto, done, 75, ME, START + dt.timedelta(days=1))
    assert "Confirmed by Dr A. Example (Consultant)" in (compute_result(proto, done).confirmed or "")


def test_a_dose_dated_before_the_definition_was_chosen_is_refused(proto: Protocol) -> None:
    ws = choose_definition(proto, new_worksheet(proto, "T-5"), GIL, ME, START)
    with pytest.raises(WorksheetError, match="chosen after the first dose"):
        give_dose(proto, ws, 50, ME, START - dt.timedelta(hours=1))


# -- when a dose can be read, and function lost under any definition ------------------------------


def _observed(micrograms: int, day: int, hours: tuple[int, ...], **measures: object) -> dict[str, object]:
    """A dose observed only at ``hours`` (after the baseline), the same scores throughout."""
    return dose(micrograms, day, {h: dict(measures) for h in (0, *hours)})


@pytest.mark.parametrize("definition", [GIL, MEY])
def test_a_test_observed_at_2_4_and_6_hours_is_read_without_an_8_hour_value(proto: Protocol, definition: str) -> None:
    same = {"tone": legs(3, 3, 3, 3), "spasms": "3"}
    ws = worksheet(definition, [_observed(m, d, (2, 4, 6), **same) for d, m in enumerate((50, 75, 100))])
    result = compute_result(proto, ws)
    assert [d.status for d in result.doses] == ["not_met"] * 3
    assert result.computed == "no_response_100"


def test_each_definition_says_which_observations_it_needs(proto: Protocol) -> None:
    same = {"tone": legs(3, 3, 3, 3), "spasms": "3"}
    # the cerebral palsy trial's window (1-8 h): two observations, one at 4 h or later
    assert compute_result(proto, worksheet(GIL, [_observed(50, 0, (2, 4), **same)])).doses[0].status == "not_met"
    early = compute_result(proto, worksheet(GIL, [_observed(50, 0, (1, 2), **same)])).doses[0]
    assert early.status == "cannot_tell"
    assert "read once there are 2 observations in the window, one at 4 h or later" in early.sentence
    # the stroke trial's window (4-8 h, read about 6 h): 4 and 6 h are needed
    assert compute_result(proto, worksheet(MEY, [_observed(50, 0, (2, 4), **same)])).doses[0].status == "cannot_tell"
    assert compute_result(proto, worksheet(MEY, [_observed(50, 0, (4, 6), **same)])).doses[0].status == "not_met"
    after = compute_result(proto, worksheet(GIL, [_observed(50, 0, (2, 4, 6), **same)]))
    assert "allows 75 micrograms next" in after.next_step and after.next_dose == 75


def test_function_lost_under_a_goal_based_definition_is_reported_and_never_leads_to_a_larger_dose(
    proto: Protocol,
) -> None:
    baseline = {"tone": legs(3, 3, 3, 3), "function": {"standing": "unaided", "transfers": "unaided"}}
    peak = {"tone": legs(1, 1, 1, 1), "function": {"standing": "unable", "transfers": "with_help"}}
    goals = [{"goal": 0, "rating": "partly"}]
    ws = worksheet(GOALS, [dose(50, 0, full_day(baseline, peak), goals=goals)], goals=["Walks to the bathroom"])
    result = compute_result(proto, ws)
    assert result.doses[0].status == "not_met"
    assert result.computed == "tone_reduced_function_lost"
    assert "Function was lost at 50 micrograms (standing, transfers)" in result.outcome_sentence
    assert "reads 'definition not met' there" in result.outcome_sentence
    assert result.next_dose is None
    assert "lower dose" in result.next_step and "prolonged infusion" in result.next_step
    assert "not proceeding" in result.next_step and "allows 75" not in result.next_step


def test_function_lost_before_the_definition_can_be_read_still_stops_the_sequence(proto: Protocol) -> None:
    baseline = {"function": {"standing": "unaided"}}
    ws = worksheet(GIL, [dose(50, 0, {0: baseline, 2: {"function": {"standing": "unable"}}})])
    result = compute_result(proto, ws)
    assert result.doses[0].status == "cannot_tell"
    assert result.computed == "tone_reduced_function_lost" and result.next_dose is None


def test_a_twenty_five_microgram_plan_is_read_and_followed_by_the_label_sequence(proto: Protocol) -> None:
    same = {"tone": legs(3, 3, 3, 3)}
    ws = worksheet(GIL, [_observed(25, 0, (2, 4, 6), **same)], start_dose=25, low_start_reason="very_small")
    result = compute_result(proto, ws)
    assert result.doses[0].status == "not_met" and result.next_dose == 50
    fallen = worksheet(
        GIL,
        [dose(25, 0, full_day({"tone": legs(3, 3, 3, 3)}, {"tone": legs(2, 2, 2, 1)}))],
        start_dose=25,
        low_start_reason="relies_on_tone",
    )
    read = compute_result(proto, fallen)
    assert read.computed == "positive_function_kept" and read.next_dose is None
    assert read.next_step.startswith("The chosen definition is met at 25 micrograms.")
