"""UCUM units, converted with ``ucumvert`` (a maintained UCUM grammar on top of ``pint``).

A record's measurement (an Observation's valueQuantity with ``system`` http://unitsofmeasure.org)
is converted into the unit a rule names; a code that is not UCUM, or a unit of another kind (a
length for a weight), does not convert and is refused by the caller. The registry takes about two
seconds to build, so it is built once per process, on the first conversion, and only read after.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from candidacy.criteria.codes import UCUM_SYSTEM, shape_problem
from candidacy.errors import UnitError
from candidacy.text import printable

__all__ = ["UnitError", "check_unit", "convert"]


@lru_cache(maxsize=1)
def _registry() -> Any:
    from ucumvert import PintUcumRegistry  # lark and pint load on the first conversion only

    return PintUcumRegistry()


def _unit(code: str) -> Any:
    from lark.exceptions import LarkError

    if shape_problem(UCUM_SYSTEM, code):  # printable, no spaces, at most 40 characters: before the parser
        raise UnitError(f"'{printable(code[:40])}' is not a UCUM unit")
    try:
        return _registry().from_ucum(code)
    except (LarkError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise UnitError(f"'{code}' is not a UCUM unit") from exc


def check_unit(code: str) -> None:
    """Raise UnitError unless ``code`` is a UCUM unit."""
    _unit(code)


def convert(value: float, code: str, into: str) -> float:
    """``value`` in UCUM unit ``code`` expressed in ``into``; UnitError when it does not convert."""
    from pint.errors import PintError

    try:
        return float(_registry().Quantity(value, _unit(code)).to(_unit(into)).magnitude)
    except PintError as exc:
        raise UnitError(f"'{code}' does not convert to '{into}'") from exc
