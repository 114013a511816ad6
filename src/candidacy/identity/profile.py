"""Personal mode: the clinician's name and role, asked once and kept in a small file in the data folder.

Personal mode has one clinician on one machine and no sign-in, so the profile is that machine's
(``profile.json`` next to the SQLite database): it survives reloads, new browser tabs and server
restarts. It is written atomically; a damaged file is reported, never silently replaced by
"unnamed user", and the app asks again.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from candidacy.errors import Problem, ProfileError
from candidacy.files import write_atomic

from . import PERMISSIONS, Identity

__all__ = ["PROFILE_FILE", "ProfileError", "load_profile", "profile_path", "save_profile", "validate_profile"]

PROFILE_FILE = "profile.json"
MAX_LENGTH = 120


def profile_path(data_dir: Path) -> Path:
    return data_dir / PROFILE_FILE


def _clean(value: object, field: str, where: str) -> str:
    """One line of visible text, at most MAX_LENGTH characters; a Problem names the field otherwise."""
    if value is None:
        raise ProfileError(Problem("is required", file=where or None, path=field))
    if not isinstance(value, str):
        raise ProfileError(Problem(f"must be text, not {type(value).__name__}", file=where or None, path=field))
    text = " ".join(value.split())
    if not text:
        raise ProfileError(Problem("is required", file=where or None, path=field))
    if len(text) > MAX_LENGTH:
        raise ProfileError(Problem(f"is longer than {MAX_LENGTH} characters", file=where or None, path=field))
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in text):
        raise ProfileError(Problem("contains control or invisible characters", file=where or None, path=field))
    return text


def validate_profile(name: object, role: object, where: str = "") -> Identity:
    """The personal Identity for this name and role (all permissions: one clinician does everything)."""
    problems: list[Problem] = []
    cleaned: dict[str, str] = {}
    for field, value in (("name", name), ("role", role)):
        try:
            cleaned[field] = _clean(value, field, where)
        except ProfileError as error:
            problems.extend(error.problems)
    if problems:
        raise ProfileError(problems)
    return Identity(cleaned["name"], cleaned["role"], "personal", "", frozenset(PERMISSIONS))


def load_profile(data_dir: Path) -> Identity | None:
    """The saved profile; None when none was saved yet; ProfileError naming the file when it is damaged."""
    path = profile_path(data_dir)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(Problem(f"cannot be read: {error}", file=str(path))) from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ProfileError(Problem(f"is not JSON: {error.msg}", file=str(path), line=error.lineno)) from None
    if not isinstance(doc, dict):
        raise ProfileError(Problem("must be a JSON object with 'name' and 'role'", file=str(path)))
    return validate_profile(doc.get("name"), doc.get("role"), str(path))


def save_profile(data_dir: Path, name: object, role: object) -> Identity:
    """Validate and store the profile atomically (a crash leaves the old file or the new one, whole)."""
    identity = validate_profile(name, role)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = profile_path(data_dir)
    text = json.dumps({"name": identity.name, "role": identity.role}, ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return identity
