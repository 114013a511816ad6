"""Practising on a vignette: when to warn before the trainee's answers are compared with the reference."""

from __future__ import annotations

from candidacy.reasoning.assessment import Assessment

__all__ = ["WARN_AT", "submit_warning"]

#: From this many unanswered items on, the trainee is asked to confirm before comparing.
WARN_AT = 5


def submit_warning(result: Assessment) -> str | None:
    """A warning when many applicable items have no answer yet, else ``None``.

    An unanswered item never matches the reference, so comparing early mostly measures what was left
    out; where the letter is silent the expected answer is "Unknown", not a blank.
    """
    unanswered = sum(1 for m in result.missing if m.status == "unanswered")
    if unanswered < WARN_AT:
        return None
    return (
        f"{unanswered} of {result.applicable} applicable items are not answered yet. Each counts as a "
        "disagreement with the reference. Where the letter does not say, answer Unknown."
    )
