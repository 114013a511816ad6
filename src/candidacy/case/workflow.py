"""The case workflow in one table: which action may move a revision from which status to which.

    draft --ready--> ready --review--> reviewed --revise--> draft (a new revision)
    ready --edit--> draft (changing a case that waits for review takes it back to draft)

Every change to a case names its action; :func:`next_status` looks it up here and refuses the rest,
so the app, the command line and an import all follow the same rules.
"""

from __future__ import annotations

from typing import Literal

from candidacy.errors import FrozenError, Refused

__all__ = ["ACTIONS", "EDITS", "STATUSES", "TRANSITIONS", "Status", "next_status"]

Status = Literal["draft", "ready", "reviewed"]
#: The statuses of a revision, in workflow order.
STATUSES: tuple[Status, ...] = ("draft", "ready", "reviewed")

#: Actions that change the content of the open revision (audited item by item).
EDITS = ("answer", "note", "header", "load", "decision", "duplicate")

#: (action, status before) -> status after. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, Status], Status] = {
    **{(edit, "draft"): "draft" for edit in EDITS},
    **{(edit, "ready"): "draft" for edit in EDITS},
    ("create", "draft"): "draft",
    ("ready", "draft"): "ready",
    ("review", "ready"): "reviewed",
    ("revise", "reviewed"): "draft",
    **{("archive", status): status for status in STATUSES},
    # a screening worksheet is saved beside the revision: audited in the case's chain, status unchanged
    **{("screening", status): status for status in STATUSES},
}

#: Every action the audit trail can hold.
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(action for action, _ in TRANSITIONS))


def next_status(action: str, status: str, case_id: int | None, revision: int) -> Status:
    """The status after ``action``; a clear refusal when the workflow does not allow it.

    ``case_id``: None for an unsaved draft (always a draft, so never refused)."""
    after = TRANSITIONS.get((action, status))  # type: ignore[arg-type]
    if after is not None:
        return after
    if status == "reviewed":
        raise FrozenError(
            f"revision {revision} of case {case_id} was reviewed and is frozen; "
            "start a new revision, with a reason, to change it"
        )
    if action == "review":
        raise Refused(f"case {case_id} is a {status}; mark it ready for review before signing off")
    allowed = sorted(a for a, s in TRANSITIONS if s == status)
    raise Refused(f"case {case_id} is {status}: '{action}' is not possible now (possible: {', '.join(allowed)})")
