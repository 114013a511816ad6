"""The README stays true: its first lines are the two commands, and its examples run."""

from __future__ import annotations

from candidacy.cli import main

from .conftest import ROOT


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[1].strip().startswith("make run")
    assert lines[2].strip().startswith("make test")


def test_every_cli_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        assert f"python -m candidacy {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert f"python -m candidacy {name} {sub}" in readme, f"{name} {sub}"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
