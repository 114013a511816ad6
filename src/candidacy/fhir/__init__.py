"""FHIR exchange (R4B and R5): the criteria set as an SDC Questionnaire, an assessment as a
QuestionnaireResponse, a QuestionnaireResponse from any form filler back into answers, and the answered
observations as a transaction Bundle (SDC observation-based extraction).

``fhir.resources`` validates the resources; :mod:`candidacy.fhir.checks` adds what it does not check
(unique linkIds, enableWhen targets, item placement, answers that fit their items).
"""

from candidacy.fhir.checks import FhirError, check_questionnaire, check_response
from candidacy.fhir.extract import extraction_bundle
from candidacy.fhir.importer import answers_from_response, read_response, response_release
from candidacy.fhir.questionnaire import questionnaire
from candidacy.fhir.response import dumps, questionnaire_response
from candidacy.fhir.terms import RELEASES, canonical_url

__all__ = [
    "RELEASES",
    "FhirError",
    "answers_from_response",
    "canonical_url",
    "check_questionnaire",
    "check_response",
    "dumps",
    "extraction_bundle",
    "questionnaire",
    "questionnaire_response",
    "read_response",
    "response_release",
]
