"""Reading hostile files: size cap, encodings, aliases, duplicate keys, nesting. Each gets a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from candidacy import SourceFileError, load_criteria
from candidacy.criteria.yamlsource import MAX_BYTES, parse_text, read_file


def test_file_over_one_mebibyte_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (MAX_BYTES + 10), encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load_criteria(big)
    assert str(caught.value) == f"{big}: file is {MAX_BYTES + 13} bytes; the limit is 1048576 bytes (1 MiB)"


def test_billion_laughs_is_refused_at_the_first_alias() -> None:
    bomb = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    with pytest.raises(SourceFileError) as caught:
        parse_text(bomb, "bomb.yaml")
    assert str(caught.value) == (
        "bomb.yaml:2:4: b.0: YAML aliases are not allowed: this repeats the value at a; write it out"
    )


def test_merge_keys_are_refused() -> None:
    with pytest.raises(SourceFileError, match="merge keys"):
        parse_text("a:\n  <<: {b: 1}\n", "m.yaml")


def test_duplicate_keys_name_both_lines() -> None:
    with pytest.raises(SourceFileError) as caught:
        parse_text("id: one\ntitle: x\nid: two\n", "d.yaml")
    assert str(caught.value) == "d.yaml:3:1: id: duplicate key 'id' (first at line 1, again at line 3)"


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(SourceFileError) as caught:
        parse_text("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("broken.yaml", 3)
    assert problem.message.startswith("not valid YAML:")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceFileError, match=r"not UTF-8 text \(bad byte at offset 10\)"):
        read_file(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="cannot read file: No such file or directory"):
        read_file(tmp_path / "nope.yaml")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(SourceFileError, match="nested"):
        parse_text("[" * 200 + "]" * 200, "deep.yaml")


def test_marks_are_kept_for_every_value() -> None:
    located = parse_text("a:\n  b: [x, {c: 3}]\n", "m.yaml")
    assert located.data == {"a": {"b": ["x", {"c": 3}]}}
    assert located.marks[("a", "b", 1, "c")] == (2, 14)
    assert located.mark(("a", "b", 1, "c", "missing")) == (2, 14)


def test_json_is_read_as_yaml() -> None:
    assert parse_text('{"a": [1, "no"]}', "j.json").data == {"a": [1, "no"]}


def test_empty_document_gives_no_data() -> None:
    assert parse_text("", "e.yaml").data is None
