"""Hardened edges: every bad input a clear error of the project's own, nothing destroyed, valid input kept.

Each test names the class of fault it guards against (see the error hierarchy in candidacy.errors).
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import candidacy.errors as errors_module
from candidacy.cli import main
from candidacy.criteria.yamlevents import MAX_DEPTH
from candidacy.criteria.yamlsource import parse_bytes, parse_text, read_file
from candidacy.errors import CandidacyError, OutputError, SourceFileError
from candidacy.files import read_limited, write_atomic

ROOT = Path(__file__).resolve().parent.parent
ITB = ROOT / "criteria" / "itb_pump.yaml"
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def _answers(tmp_path: Path, body: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real process: a crash (segmentation fault) or a hang shows here, not inside pytest."""
    return subprocess.run(
        [sys.executable, "-m", "candidacy", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


# -- 1. one reading path ------------------------------------------------------------------------------


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "criteria.yaml"
    os.mkfifo(fifo)
    done = _run_cli("evaluate", "--criteria", str(fifo), "--answers", str(fifo), timeout=30)
    assert done.returncode == 1
    assert done.stderr.strip() == f"{fifo}: cannot read a named pipe (FIFO): give a regular file"


def test_a_device_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match=r"cannot read a device: give a regular file"):
        read_limited("/dev/zero")
    with pytest.raises(SourceFileError, match=r"cannot read a folder: give a regular file"):
        read_file(tmp_path)


def test_the_size_cap_holds_on_what_is_read_not_on_what_stat_says(tmp_path: Path) -> None:
    assert os.stat("/proc/self/maps").st_size == 0  # a regular file that claims to be empty
    with pytest.raises(SourceFileError, match="file is larger than the limit of 20 bytes"):
        read_limited("/proc/self/maps", limit=20)
    small = tmp_path / "small.yaml"
    small.write_bytes(b"a: 1\n" * 10)
    with pytest.raises(SourceFileError, match="file is 50 bytes; the limit is 20 bytes"):
        read_limited(small, limit=20)
    assert read_limited(small, limit=50) == b"a: 1\n" * 10


@pytest.mark.parametrize(
    "deep",
    ["[" * 100_000, "{a: " * 30_000, "- " * 50_000 + "x", '{"a":' * 60_000],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "json-objects"],
)
def test_deep_nesting_is_refused_before_anything_is_built(tmp_path: Path, deep: str) -> None:
    answers = _answers(tmp_path, deep)
    done = _run_cli("evaluate", "--criteria", str(ITB), "--answers", str(answers))
    assert done.returncode == 2, done.stderr[-500:]  # not -11 (segmentation fault)
    assert f"nested deeper than {MAX_DEPTH} levels" in done.stderr


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    assert parse_text("[" * depth + "]" * depth, "ok.yaml").data is not None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("052", "a leading zero makes it octal (052 is 42)"),
        ("0x34", "a 0x prefix makes it hexadecimal (0x34 is 52)"),
        ("1_2", "underscores are dropped (1_2 is 12)"),
        ("1:00", "a colon makes it base 60 (1:00 is 60)"),
        ("0o17", "a 0o prefix makes it octal"),
    ],
)
def test_numbers_that_yaml_would_re_type_are_refused_with_a_hint(raw: str, why: str) -> None:
    with pytest.raises(SourceFileError) as caught:
        parse_text(f"answers:\n  age_years: {{value: {raw}}}\n", "a.yaml")
    assert str(caught.value) == (
        f"a.yaml:2:22: answers.age_years.value: the unquoted value '{raw}' is not a plain decimal number: {why}; "
        f"write it in plain decimals, or put it in quotes if it is text: '{raw}'"
    )


def test_quoted_numbers_stay_text_and_plain_decimals_are_numbers() -> None:
    data = parse_text("a: '052'\nb: 52\nc: 5.5\nd: -0\ne: 1.10\nf: 2026-12-03\n", "n.yaml").data
    assert data == {"a": "052", "b": 52, "c": 5.5, "d": 0, "e": 1.1, "f": __import__("datetime").date(2026, 12, 3)}


def test_valid_json_is_not_refused() -> None:
    located = parse_bytes(b'{"n": 1e2, "m": -2.5E-3, "s": "\\ud83d\\ude00 ok", "t": "tab\\tand \\"quote\\""}', "j.json")
    assert located.data == {"n": 100.0, "m": -0.0025, "s": "\U0001f600 ok", "t": 'tab\tand "quote"'}


def test_a_huge_integer_is_refused_with_a_message(tmp_path: Path) -> None:
    answers = _answers(tmp_path, "criteria: itb_pump\nanswers:\n  age_years: {value: " + "9" * 400 + "}\n")
    done = _run_cli("evaluate", "--criteria", str(ITB), "--answers", str(answers))
    assert done.returncode == 2
    assert "answers.age_years.value: the whole number has 400 digits; the limit is 15" in done.stderr
    with pytest.raises(SourceFileError, match="is too large"):
        parse_text("a: 1e400\n", "big.yaml")


def test_the_upload_path_refuses_a_huge_integer_and_deep_nesting(itb: object) -> None:
    from candidacy.draft import load_draft

    for raw, message in ((b'{"criteria": "itb_pump", "answers": {"age_years": {"value": 1' + b"0" * 400 + b"}}}",
                          "401 digits"), (b"[" * 100_000, "nested deeper")):  # fmt: skip
        with pytest.raises(CandidacyError, match=message):
            load_draft(raw, "upload.json", itb)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"case": {"label": "A\\u0000B"}}', "j.json:1:20: case.label: control character U+0000"),
        ('a: "x\\e[2Jy"\n', "j.json:1:4: a: control character U+001B"),
        ('{"k\\u0007": 1}', "j.json:1:2: k\x07: control character U+0007"),
        ("a: b\x00c\n", "j.json:1:5: control character U+0000"),
    ],
)
def test_control_characters_are_refused_naming_the_field(text: str, where: str) -> None:
    with pytest.raises(SourceFileError) as caught:
        parse_text(text, "j.json")
    assert str(caught.value).startswith(where)


def test_the_cli_prints_a_hostile_field_name_without_its_escape_sequence(tmp_path: Path) -> None:
    answers = _answers(tmp_path, '{"criteria": "itb_pump", "answers": {"x\\u001b[2J": {"value": 1}}}', "a.json")
    done = _run_cli("evaluate", "--criteria", str(ITB), "--answers", str(answers))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "x\\x1b[2J" in done.stderr


# -- 2. writes that replace only regular files -------------------------------------------------------


def _report_to(target: Path) -> subprocess.CompletedProcess[str]:
    answers = _answers(target.parent.parent, "criteria: itb_pump\ncase: {label: EDGE-01}\nanswers: {}\n")
    return _run_cli("report", "--criteria", str(ITB), "--answers", str(answers), "--format", "pdf", "-o", str(target))


def test_report_onto_a_fifo_leaves_the_fifo(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    fifo = tmp_path / "out" / "out.pdf"
    os.mkfifo(fifo)
    done = _report_to(fifo)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"{fifo}: will not replace a named pipe (FIFO): give the path of a regular file or of a new file"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["out.pdf"]  # no temporary file left


def test_report_onto_a_symlink_or_a_folder_is_refused_and_both_stay(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "link.pdf"
    link.symlink_to(target)
    done = _report_to(link)
    assert done.returncode == 2 and "will not replace a symbolic link" in done.stderr
    assert link.is_symlink() and target.read_text() == "keep me"
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(OutputError, match="will not replace a folder"):
        write_atomic(folder, b"x")
    assert folder.is_dir()


def test_write_atomic_replaces_a_regular_file_and_creates_a_new_one(tmp_path: Path) -> None:
    old = tmp_path / "old.md"
    old.write_text("before")
    write_atomic(old, b"after")
    write_atomic(tmp_path / "new.md", b"new")
    assert old.read_text() == "after" and (tmp_path / "new.md").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.md", "old.md"]


# -- 3. one hierarchy of the project's own errors ----------------------------------------------------


def test_every_error_class_is_declared_once_in_errors_py() -> None:
    """No CandidacyError subclass is defined anywhere else; the docstring tree names every one."""
    src = ROOT / "src" / "candidacy"
    elsewhere = []
    for path in src.rglob("*.py"):
        if path == Path(errors_module.__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith("Error") for b in node.bases
            ):
                elsewhere.append(f"{path.relative_to(src)}: {node.name}")
    assert elsewhere == []
    classes = [obj for obj in vars(errors_module).values() if isinstance(obj, type) and issubclass(obj, CandidacyError)]
    assert len(classes) >= 14
    for cls in classes:
        assert cls.__name__ in (errors_module.__doc__ or ""), cls.__name__
        assert cls.__name__ in errors_module.__all__


def test_the_cli_has_one_error_handler() -> None:
    """Commands raise; only the group's handler (and validate, which reports every file) prints problems
    and chooses an exit code."""
    cli = ROOT / "src" / "candidacy" / "cli"
    handlers = sorted(
        path.name
        for path in cli.glob("*.py")
        if any(mark in path.read_text(encoding="utf-8") for mark in ("sys.exit(EXIT_INPUT", "for problem in", "_fail("))
    )
    assert handlers == ["errors.py"]


def test_exit_codes_come_from_the_error_class(tmp_path: Path) -> None:
    bad_answers = _answers(tmp_path, "criteria: itb_pump\nanswers: {nope: {value: 1}}\n")
    assert CliRunner().invoke(main, ["evaluate", "--criteria", str(tmp_path / "missing.yaml"),
                                     "--answers", str(bad_answers)]).exit_code == 1  # fmt: skip
    assert CliRunner().invoke(main, ["evaluate", "--criteria", str(ITB), "--answers", str(bad_answers)]).exit_code == 2


# -- 6. safe defaults -------------------------------------------------------------------------------


def test_the_server_listens_on_this_machine_only_without_the_makefile() -> None:
    """``streamlit run app.py`` from the project folder, no flags: the address in force is loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"], capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=60, check=True,
    )  # fmt: skip
    assert 'address = "127.0.0.1"' in shown.stdout.splitlines()
