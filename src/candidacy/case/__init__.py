"""A case's content and every change to it, applied by one pure function.

content             CaseContent (answers, status, decision, signed record, worksheets), Context, Applied
changes             the case's changes (decision, ready, sign-off, revise, archive) and apply_change, for every change
worksheet_changes   the ward's changes to a screening worksheet (its confirmation and reopening too), and the
                    audit of its fields
confirmation        what confirming a screening outcome answers on the case
workflow            the one table of allowed status changes

The answer changes themselves are data in :mod:`candidacy.reasoning.changes` (a FHIR record proposes
them below this layer). The draft, the store, the command line and the UI all apply changes here.
"""

from candidacy.case.changes import (
    Archive,
    Change,
    MarkReady,
    Revise,
    SetDecision,
    SignOffRevision,
    apply_change,
    as_changes,
)
from candidacy.case.content import Applied, AuditLine, CaseContent, Context
from candidacy.reasoning.changes import ReplaceAll, SetAnswer, SetHeader, SetNote

__all__ = [
    "Applied",
    "Archive",
    "AuditLine",
    "CaseContent",
    "Change",
    "Context",
    "MarkReady",
    "ReplaceAll",
    "Revise",
    "SetAnswer",
    "SetDecision",
    "SetHeader",
    "SetNote",
    "SignOffRevision",
    "apply_change",
    "as_changes",
]
