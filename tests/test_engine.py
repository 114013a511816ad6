"""The engine on a small set: applicability, three-valued logic, findings, missing items, next steps."""

from __future__ import annotations

from candidacy import CriteriaSet, describe, evaluate
from candidacy.criteria.models import UNKNOWN


def _ids(items: object) -> list[str]:
    return [i.criterion if hasattr(i, "criterion") else i.id for i in items]  # type: ignore[attr-defined]


def test_nothing_answered_lists_every_item_as_unanswered(minimal: CriteriaSet) -> None:
    result = evaluate(minimal, {})
    assert result.findings == ()
    assert [(m.criterion, m.status) for m in result.missing] == [
        ("walks", "unanswered"),
        ("relies", "unanswered"),  # applies while 'walks' is undecided: an unknown never hides a question
        ("tone", "unanswered"),
        ("age", "unanswered"),
        ("infection", "unanswered"),
    ]
    assert (result.answered, result.applicable) == (0, 5)
    assert _ids(result.next_steps) == []


def test_item_that_does_not_apply_says_why(minimal: CriteriaSet) -> None:
    result = evaluate(minimal, {"walks": ("no", "uses a wheelchair")})
    assert [(n.criterion, n.reason) for n in result.not_applicable] == [
        ("relies", "Applies only when 'Walks' is 'Yes'.")
    ]
    assert result.applicable == 4
    finding = result.findings[0]
    assert (finding.criterion, finding.kind, finding.statement, finding.note) == (
        "walks",
        "favourable",
        "Does not walk.",
        "uses a wheelchair",
    )
    assert finding.answer_label == "No"
    assert [s.id for s in finding.sources] == ["SRC"]
    assert finding.rationale == "Because."


def test_unknown_is_missing_information_naming_what_to_obtain(minimal: CriteriaSet) -> None:
    result = evaluate(minimal, {"walks": (UNKNOWN, "")})
    assert [f.kind for f in result.findings] == ["missing"]
    assert result.findings[0].statement == "Not known: Walks. To obtain: walking status."
    assert result.missing[0].status == "unknown"
    assert "relies" not in _ids(result.not_applicable)
    assert result.answered == 1


def test_contraindication_suggests_discussion_and_nothing_else(minimal: CriteriaSet) -> None:
    answers = {
        "walks": ("no", ""),
        "tone": ("2", ""),
        "age": (30.0, ""),
        "infection": ("present", "UTI on antibiotics"),
    }
    result = evaluate(minimal, answers)
    assert [f.kind for f in result.by_kind("contraindication")] == ["contraindication"]
    assert _ids(result.next_steps) == ["stop"]
    assert result.next_steps[0].basis == "A contraindication is recorded."
    assert result.next_steps[0].condition == "a contraindication is recorded"


def test_complete_answers_without_contraindication(minimal: CriteriaSet) -> None:
    answers = {"walks": ("no", ""), "tone": ("1+", ""), "age": (3.0, ""), "infection": ("absent", "")}
    result = evaluate(minimal, answers)
    assert [(f.criterion, f.kind) for f in result.findings] == [
        ("walks", "favourable"),
        ("tone", "favourable"),
        ("age", "caution"),
    ]
    assert result.findings[2].answer_label == "3 years"
    assert _ids(result.next_steps) == ["go"]
    assert (result.answered, result.applicable) == (4, 4)


def test_number_bands_are_half_open(minimal: CriteriaSet) -> None:
    assert [f.kind for f in evaluate(minimal, {"age": (3.99, "")}).findings] == ["caution"]
    assert evaluate(minimal, {"age": (4.0, "")}).findings == ()


def test_summary_is_in_the_fixed_order(minimal: CriteriaSet) -> None:
    result = evaluate(minimal, {})
    assert [heading for _, heading, _ in result.summary()] == [
        "Contraindications",
        "Cautions",
        "Factors against",
        "Factors in favour",
        "Prerequisites not met",
        "Missing information",
    ]


def test_conditions_in_words(itb: CriteriaSet) -> None:
    step = next(s for s in itb.next_steps if s.id == "focal_or_mild")
    assert describe(step.when, itb) == (
        "'Distribution of spasticity' is 'Focal (one or a few muscle groups)' or "
        "'Overall severity of spasticity' is 'Mild'"
    )
    reaction = itb.criteria_by_id["screening_reaction"]
    assert reaction.applies_when is not None
    assert describe(reaction.applies_when, itb) == (
        "'Intrathecal screening test' is one of: 'Done; tone reduced with function kept or improved', "
        "'Done; tone reduced but standing, walking or transfers lost', "
        "'Done; no response up to 100 micrograms', 'Done; partial or unclear response'"
    )
    tbi = itb.criteria_by_id["months_since_tbi"]
    assert tbi.applies_when is not None
    assert describe(tbi.applies_when, itb) == "'Cause of spasticity' is 'Traumatic brain injury'"


def test_scale_comparisons_follow_the_scale_order(minimal_text: str) -> None:
    from candidacy import load_criteria_text

    text = minimal_text.replace('{criterion: walks, equals: "yes"}', '{criterion: tone, at_least: "1+"}')
    cset = load_criteria_text(text, "mini.yaml")
    assert "relies" in _ids(evaluate(cset, {"tone": ("1", "")}).not_applicable)
    assert "relies" not in _ids(evaluate(cset, {"tone": ("2", "")}).not_applicable)
    assert "relies" not in _ids(evaluate(cset, {"tone": (UNKNOWN, "")}).not_applicable)


def test_sha256_ignores_layout_and_comments(minimal_text: str, minimal: CriteriaSet) -> None:
    from candidacy import load_criteria_text

    reformatted = "# a comment\n" + minimal_text.replace("help: Observe.", "help:   'Observe.'")
    assert load_criteria_text(reformatted).sha256 == minimal.sha256
    changed = minimal_text.replace("help: Observe.", "help: Watch.", 1)
    assert load_criteria_text(changed).sha256 != minimal.sha256


def test_next_step_basis_reads_as_a_sentence(itb: CriteriaSet) -> None:
    step = next(s for s in itb.next_steps if s.id == "support_screening")
    assert describe(step.when, itb) == (
        "'Intrathecal screening test' is 'Not done yet' and nothing stands in the way (before a screening test) "
        "and no factor against is recorded"
    )
