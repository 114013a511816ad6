"""The value of an unquoted YAML scalar, read as its decimal text and refused where YAML 1.1 would re-type it.

A plain scalar is null, a YAML 1.1 boolean (kept, so that the criteria validator can say "put 'no'
in quotes"), a decimal number (``1e2`` is 100.0, as in JSON and YAML 1.2), a date, or text. The
forms YAML 1.1 would silently read as another number (``052`` octal, ``0x34``, ``1_2``, ``1:00``)
are refused with a hint to write plain decimals or quote, and so are whole numbers longer than
:data:`MAX_INT_DIGITS` digits. Kept apart from the event walk (:mod:`.yamlevents`), which only
decides where a value goes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

__all__ = ["MAX_INT_DIGITS", "RefusedScalar", "mapping_key", "resolve_plain"]

MAX_INT_DIGITS = 15

_NULL = {"", "~", "null", "Null", "NULL"}
# YAML 1.1 booleans are kept as booleans, so that the criteria validator can say "put 'no' in quotes".
_BOOL = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")
_SPECIAL_FLOAT = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
# Unquoted forms that YAML 1.1 (or 1.2) reads as a number other than the decimal the text shows, and why.
_NOT_DECIMAL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[-+]?0[xX][0-9a-fA-F_]+"), "a 0x prefix makes it hexadecimal (0x34 is 52)"),
    (re.compile(r"[-+]?0[oO][0-7_]+"), "a 0o prefix makes it octal"),
    (re.compile(r"[-+]?0[bB][01_]+"), "a 0b prefix makes it binary"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"), "a colon makes it base 60 (1:00 is 60)"),
    (re.compile(r"[-+]?0[0-9_]+"), "a leading zero makes it octal (052 is 42)"),
    (re.compile(r"[-+]?[0-9_]*_[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"), "underscores are dropped (1_2 is 12)"),
    (re.compile(r"[-+]?[0-9_]*\.[0-9_]*_[0-9_]*(?:[eE][-+]?[0-9]+)?"), "underscores are dropped (1_2 is 12)"),
)
# PyYAML's YAML 1.1 timestamp: dates stay dates (review_date, assessed_on).
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_CONSTRUCTOR = SafeConstructor()


def _number_form(raw: str) -> str | None:
    """Why an unquoted value that reads as a number is not the plain decimal it looks like, or None."""
    for pattern, why in _NOT_DECIMAL:
        if pattern.fullmatch(raw) and any(c.isdigit() for c in raw):
            return why
    return None


class RefusedScalar(Exception):
    """An unquoted value the reader will not guess at; ``message`` says why and what to write."""

    def __init__(self, message: str) -> None:
        self.message = message


def resolve_plain(raw: str) -> Any:
    """The value of an unquoted scalar: null, YAML 1.1 booleans, decimal numbers, dates; else the text."""
    if raw in _NULL:
        return None
    if raw in _BOOL:
        return _BOOL[raw]
    first = raw[0]
    if first.isdigit() or first in "+-.":
        if _DECIMAL_INT.fullmatch(raw):
            digits = len(raw.lstrip("+-"))
            if digits > MAX_INT_DIGITS:
                raise RefusedScalar(
                    f"the whole number has {digits} digits; the limit is {MAX_INT_DIGITS} "
                    "(put it in quotes if it is text)"
                )
            return int(raw)
        if raw in _SPECIAL_FLOAT:
            return _SPECIAL_FLOAT[raw]
        if _DECIMAL_FLOAT.fullmatch(raw):
            number = float(raw)
            if math.isinf(number):
                raise RefusedScalar(f"the number {raw[:20]}{'...' if len(raw) > 20 else ''} is too large")
            return number
        if first.isdigit() and _TIMESTAMP.fullmatch(raw):
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(ScalarNode("tag:yaml.org,2002:timestamp", raw))
            except (ValueError, OverflowError) as exc:
                raise RefusedScalar(f"{raw!r} is not a valid date ({exc}); put it in quotes if it is text") from exc
            if isinstance(value, dt.datetime | dt.date):
                return value
        why = _number_form(raw)
        if why is not None:
            raise RefusedScalar(
                f"the unquoted value {raw!r} is not a plain decimal number: {why}; "
                f"write it in plain decimals, or put it in quotes if it is text: '{raw}'"
            )
    return raw


def mapping_key(raw: str) -> str | int:
    """An unquoted mapping key: a whole decimal number (within the limit) is a number, else the text."""
    return int(raw) if _DECIMAL_INT.fullmatch(raw) and len(raw) <= MAX_INT_DIGITS else raw
