"""Fuzzing every reader: whatever the bytes or the structure, the result is valid or one of the project's
errors (a CandidacyError), never another exception, and never a crash of the process.

Readers: the YAML/JSON source reader, criteria, answers files, the app's upload (answers or FHIR), FHIR
QuestionnaireResponse import, and backup (JSON Lines) import. Structures far deeper than the limit run
in a subprocess, where a segmentation fault or a hang would show as a failed exit instead of killing
the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidacy import CriteriaSet, load_criteria_text
from candidacy.criteria.yamlsource import parse_bytes
from candidacy.draft import load_draft
from candidacy.errors import CandidacyError
from candidacy.fhir import answers_from_response
from candidacy.fhir.questionnaire import canonical_url
from candidacy.reasoning.answers import check_answers, parse_answers
from candidacy.store import CaseStore

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["052", "0x34", "1_2", "1:00", "1e2", "yes", "no", "~", "unknown", "2026-02-30", "-.inf"])
)
_keys = st.text(max_size=8) | st.sampled_from(["criteria", "answers", "case", "value", "note", "label", "item"])
structures = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=30,
)


def _as_text(data: Any, form: str) -> bytes:
    if form == "json":
        return json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")


def _valid_or_ours(read: Callable[[], object]) -> None:
    try:
        read()
    except CandidacyError as error:
        assert error.problems and all(str(p) for p in error.problems)


@FUZZ
@given(st.binary(max_size=400))
def test_source_reader_arbitrary_bytes(raw: bytes) -> None:
    _valid_or_ours(lambda: parse_bytes(raw, "fuzz.yaml"))


@FUZZ
@given(structures, st.sampled_from(["json", "yaml"]))
def test_source_reader_structures_round_trip_or_refuse(data: Any, form: str) -> None:
    _valid_or_ours(lambda: parse_bytes(_as_text(data, form), f"fuzz.{form}"))


@FUZZ
@given(st.binary(max_size=300) | structures.map(lambda d: _as_text(d, "yaml")))
def test_criteria_reader(raw: bytes) -> None:
    _valid_or_ours(lambda: load_criteria_text(raw.decode("utf-8", "replace"), "fuzz.yaml"))


def _answers_doc(answers: Any, case: Any) -> dict[str, Any]:
    return {"criteria": "itb_pump", "case": case, "answers": answers}


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["age_years", "cause", "ambulatory", "nope"]), structures, max_size=4),
    structures,
    st.sampled_from(["json", "yaml"]),
)
def test_answers_reader_and_check(itb: CriteriaSet, answers: Any, case: Any, form: str) -> None:
    def read() -> None:
        answer_set, located = parse_answers(_as_text(_answers_doc(answers, case), form), f"a.{form}")
        check_answers(itb, answer_set, located)

    _valid_or_ours(read)


@FUZZ
@given(st.binary(max_size=300) | structures.map(lambda d: _as_text(d, "json")))
def test_upload_reader(itb: CriteriaSet, raw: bytes) -> None:
    _valid_or_ours(lambda: load_draft(raw, "upload.json", itb))


@FUZZ
@given(structures, structures, st.sampled_from([None, "a", {"value": "x"}, [{"value": 1}]]))
def test_fhir_reader(itb: CriteriaSet, items: Any, author: Any, identifier: Any) -> None:
    doc = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical_url(itb)}|{itb.version}",
        "status": "completed",
        "item": items if isinstance(items, list) else [{"linkId": "cause", "answer": items}],
        "author": author,
        "identifier": identifier,
    }
    _valid_or_ours(lambda: answers_from_response(itb, json.dumps(doc).encode(), "r.json"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, itb: CriteriaSet) -> CaseStore:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    return CaseStore(url, {itb.id: itb})


@FUZZ
@given(st.lists(st.binary(max_size=120) | structures.map(lambda d: _as_text(d, "json")), max_size=3))
def test_backup_reader(store: CaseStore, lines: list[bytes]) -> None:
    text = [line.decode("utf-8", "replace").replace("\n", " ") + "\n" for line in lines]
    _valid_or_ours(lambda: store.import_jsonl(iter(text)))


# -- far beyond the depth limit, in a process of its own ------------------------------------------------

_DEEP = {
    "flow": "'[' * 200_000",
    "mapping": "'{\"a\": ' * 100_000",
    "block": "'- ' * 100_000 + 'x'",
    "mixed": "'[{\"a\": ' * 50_000",
}
_READERS = {
    "source": "from candidacy.criteria.yamlsource import parse_bytes; parse_bytes(raw, 'deep')",
    "criteria": "from candidacy import load_criteria_text; load_criteria_text(raw.decode(), 'deep')",
    "upload": "from candidacy import load_criteria; from candidacy.draft import load_draft; "
    "load_draft(raw, 'deep.json', load_criteria(ITB))",
    "fhir": "from candidacy import load_criteria; from candidacy.fhir import answers_from_response; "
    'answers_from_response(load_criteria(ITB), b\'{"resourceType": "QuestionnaireResponse", "item": \' + raw, \'r\')',
    "backup": "from candidacy.store import CaseStore; import tempfile, os; "
    "d = tempfile.mkdtemp(); CaseStore('sqlite:///' + os.path.join(d, 'x.db'), {}).import_jsonl(iter([raw.decode()]))",
}


@pytest.mark.parametrize("reader", sorted(_READERS))
def test_deep_structures_end_in_our_error_not_a_crash(reader: str) -> None:
    code = (
        "import sys\nfrom candidacy.errors import CandidacyError\n"
        f"ITB = {str(ROOT / 'criteria' / 'itb_pump.yaml')!r}\n"
        "for deep in (" + ", ".join(_DEEP.values()) + "):\n"
        "    raw = deep.encode()\n"
        "    try:\n"
        f"        {_READERS[reader]}\n"
        "    except CandidacyError as error:\n"
        "        print(type(error).__name__)\n"
        "    else:\n"
        "        print('accepted')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "accepted" not in done.stdout
    assert len(done.stdout.split()) == len(_DEEP)
