"""Each fault in a criteria file gets one exact, located message: what an editor of the YAML reads."""

from __future__ import annotations

import pytest

from candidacy import CandidacyError, CriteriaError, load_criteria_text

# (name, text to replace in tests/data/minimal.yaml, replacement, expected problem lines)
CASES = [
    (
        "unknown criterion in applies_when",
        '{criterion: walks, equals: "yes"}',
        '{criterion: ambulant, equals: "yes"}',
        [
            "mini.yaml:40:35: sections.0.criteria.1.applies_when.criterion [criterion 'relies']: unknown criterion 'ambulant'"
        ],
    ),
    (
        "condition names an option that does not exist",
        '{criterion: walks, equals: "yes"}',
        '{criterion: walks, equals: "maybe"}',
        [
            "mini.yaml:40:50: sections.0.criteria.1.applies_when.equals [criterion 'relies']: "
            "'maybe' is not an answer of 'walks' (answers: yes, no, unknown)"
        ],
    ),
    (
        "YAML 1.1 yes read as a boolean",
        '{criterion: walks, equals: "yes"}',
        "{criterion: walks, equals: yes}",
        [
            "mini.yaml:40:50: sections.0.criteria.1.applies_when.equals [criterion 'relies']: expected text, "
            "but YAML read the unquoted value 'yes' as true/false; put it in quotes: 'yes'"
        ],
    ),
    (
        "cycle between two criteria",
        "      - id: walks\n        title: Walks\n",
        '      - id: walks\n        title: Walks\n        applies_when: {criterion: relies, equals: "no"}\n',
        [
            "mini.yaml:41:23: sections.0.criteria.1.applies_when [criterion 'relies']: "
            "applies_when forms a cycle: walks -> relies -> walks"
        ],
    ),
    (
        "criterion depends on itself",
        '{criterion: walks, equals: "yes"}',
        '{criterion: relies, equals: "yes"}',
        [
            "mini.yaml:40:23: sections.0.criteria.1.applies_when [criterion 'relies']: applies_when forms a cycle: relies -> relies"
        ],
    ),
    (
        "duplicate criterion id",
        "      - id: relies\n",
        "      - id: walks\n",
        [
            "mini.yaml:34:13: sections.0.criteria.1.id: duplicate criterion id 'walks' (first at sections.0.criteria.0.id)",
            "mini.yaml:40:23: sections.0.criteria.1.applies_when [criterion 'walks']: applies_when forms a cycle: walks -> walks",
        ],
    ),
    (
        "duplicate YAML key, which PyYAML would silently merge",
        "        help: Observe.\n        obtain: walking status\n",
        "        help: Observe.\n        help: Again.\n        obtain: walking status\n",
        ["mini.yaml:26:9: sections.0.criteria.0.help: duplicate key 'help' (first at line 25, again at line 26)"],
    ),
    (
        "source reference not in the sources list",
        "{source: SRC, locator: p2, strength: OPINION}",
        "{source: SCR, locator: p2, strength: OPINION}",
        [
            "mini.yaml:42:22: sections.0.criteria.1.sources.0.source [criterion 'relies']: "
            "unknown source 'SCR' (not in the sources list)"
        ],
    ),
    (
        "yes/no answer without its finding key",
        "          yes: null\n          no: {kind: favourable",
        "          no: {kind: favourable",
        ["mini.yaml:31:11: sections.0.criteria.0.answer.yes [criterion 'walks']: required key 'yes' is missing"],
    ),
    (
        "finding kind outside the six words",
        "no: {kind: favourable, statement: Does not walk.}",
        "no: {kind: good, statement: Does not walk.}",
        [
            "mini.yaml:33:22: sections.0.criteria.0.answer.no.kind [criterion 'walks']: Input should be 'contraindication', "
            "'caution', 'unfavourable', 'favourable', 'prerequisite-unmet' or 'missing'"
        ],
    ),
    (
        "misspelt key",
        "        help: Ask.\n",
        "        help: Ask.\n        hepl: typo\n",
        [
            "mini.yaml:65:15: sections.0.criteria.3.hepl [criterion 'age']: unknown key 'hepl' (not part of the schema; check the spelling)"
        ],
    ),
    (
        "version 1.10 read as the number 1.1",
        'version: "0.1"',
        "version: 1.10",
        [
            "mini.yaml:3:10: version: expected text, but YAML read the unquoted value '1.10' as a number; put it in quotes: '1.10'"
        ],
    ),
    (
        "title no read as false",
        "        title: Walks\n",
        "        title: no\n",
        [
            "mini.yaml:23:16: sections.0.criteria.0.title [criterion 'walks']: expected text, but YAML read the unquoted "
            "value 'no' as true/false; put it in quotes: 'no'"
        ],
    ),
    (
        "numbers with no finding",
        "{at_least: 4, finding: null}",
        "{at_least: 5, finding: null}",
        [
            "mini.yaml:77:15: sections.0.criteria.3.answer.bands.1 [criterion 'age']: values from 4 to 5 have no finding; "
            "add a band (finding: null for none)"
        ],
    ),
    (
        "scale level with no finding",
        '{from: "1+", to: "2"',
        '{from: "2", to: "2"',
        [
            "mini.yaml:59:13: sections.0.criteria.2.answer.bands [criterion 'tone']: level '1+' has no finding; "
            "add a band (finding: null for none)"
        ],
    ),
    (
        "verdict wording",
        "statement: Does not walk.",
        "statement: Patient is eligible.",
        [
            "mini.yaml:33:45: sections.0.criteria.0.answer.no.statement [criterion 'walks']: wording reads like a verdict "
            "('eligible'); phrase it as a finding for clinician review"
        ],
    ),
    (
        "applicability cannot depend on findings",
        '{criterion: walks, equals: "yes"}',
        "{present: missing}",
        [
            "mini.yaml:40:33: sections.0.criteria.1.applies_when.present [criterion 'relies']: "
            "'present' tests findings and cannot decide whether a criterion applies"
        ],
    ),
    (
        "unknown answer type",
        "type: scale",
        "type: slider",
        [
            "mini.yaml:56:11: sections.0.criteria.2.answer [criterion 'tone']: Input tag 'slider' found using 'type' "
            "does not match any of the expected tags: 'yes_no', 'choice', 'number', 'scale'"
        ],
    ),
    (
        "numeric comparison on a yes/no item",
        '{criterion: walks, equals: "yes"}',
        "{criterion: walks, at_least: 3}",
        [
            "mini.yaml:40:52: sections.0.criteria.1.applies_when.at_least [criterion 'relies']: "
            "'at_least' needs a number or scale criterion; 'walks' is neither"
        ],
    ),
    (
        "two comparisons in one test",
        '{criterion: walks, equals: "yes"}',
        '{criterion: walks, equals: "yes", one_of: ["no"]}',
        [
            "mini.yaml:40:23: sections.0.criteria.1.applies_when [criterion 'relies']: "
            "give exactly one of equals, one_of, at_least, below (got equals, one_of)"
        ],
    ),
    (
        "unknown listed as an option",
        "{value: absent, label: Absent",
        "{value: unknown, label: Absent",
        [
            "mini.yaml:90:23: sections.0.criteria.4.answer.options.1.value [criterion 'infection']: "
            "'unknown' is always offered; do not list it as an option"
        ],
    ),
    (
        "scale not in the scales list",
        "scale: mas",
        "scale: ashworth",
        [
            "mini.yaml:57:18: sections.0.criteria.2.answer.scale [criterion 'tone']: unknown scale 'ashworth' (not in the scales list)"
        ],
    ),
    (
        "YAML alias",
        "          - {source: SRC, locator: p1, strength: OPINION}",
        "          - &ref {source: SRC, locator: p1, strength: OPINION}\n        extra: *ref",
        [
            "mini.yaml:30:9: sections.0.criteria.0.extra: YAML aliases are not allowed: this repeats the value at "
            "sections.0.criteria.0.sources.0; write it out"
        ],
    ),
    (
        "departure rule names an outcome the team cannot record",
        "next_steps:\n",
        "departures:\n  - id: offered\n    outcomes: [screening_given]\n    when: {present: contraindication}\n"
        "    says: held back\nnext_steps:\n",
        [
            "mini.yaml:93:16: departures.0.outcomes.0: Input should be 'screening_offered', 'deferred', "
            "'not_offered', 'referred' or 'other'"
        ],
    ),
    (
        "departure rule tests an unknown criterion",
        "next_steps:\n",
        'departures:\n  - id: offered\n    outcomes: [screening_offered]\n    when: {criterion: ambulant, equals: "yes"}\n'
        "    says: held back\nnext_steps:\n",
        ["mini.yaml:94:23: departures.0.when.criterion: unknown criterion 'ambulant'"],
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fault_is_reported_with_file_line_path_and_criterion(
    minimal_text: str, name: str, old: str, new: str, expected: list[str]
) -> None:
    assert old in minimal_text, f"test case '{name}' no longer matches the fixture"
    with pytest.raises(CandidacyError) as caught:
        load_criteria_text(minimal_text.replace(old, new, 1), "mini.yaml")
    assert [str(p) for p in caught.value.problems] == expected


def test_all_problems_are_reported_at_once(minimal_text: str) -> None:
    text = minimal_text.replace("{source: SRC, locator: p2", "{source: NOPE, locator: p2").replace(
        '{criterion: walks, equals: "yes"}', '{criterion: ambulant, equals: "yes"}'
    )
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "mini.yaml")
    lines = [p.line for p in caught.value.problems]
    assert lines == [40, 42]
    assert {p.criterion for p in caught.value.problems} == {"relies"}


def test_schema_errors_are_sorted_by_line(minimal_text: str) -> None:
    text = minimal_text.replace('version: "0.1"', "version: 1.10").replace(
        "        help: Ask.\n", "        help: Ask.\n        x: 1\n"
    )
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "mini.yaml")
    assert [p.line for p in caught.value.problems] == [3, 65]


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(CriteriaError, match="a criteria file must be a mapping"):
        load_criteria_text("- just\n- a list\n", "x.yaml")
