"""FHIR exchange (R4B and R5): the criteria set as a Questionnaire, an assessment as a
QuestionnaireResponse, and a QuestionnaireResponse back into answers.

``fhir.resources`` validates the resources; :mod:`candidacy.fhir.checks` adds what it does not check
(unique linkIds, enableWhen targets, item types, answers that fit their items).
"""

from candidacy.fhir.checks import FhirError, check_questionnaire, check_response
from candidacy.fhir.questionnaire import RELEASES, canonical_url, questionnaire
from candidacy.fhir.response import answers_from_response, questionnaire_response

__all__ = [
    "RELEASES",
    "FhirError",
    "answers_from_response",
    "canonical_url",
    "check_questionnaire",
    "check_response",
    "questionnaire",
    "questionnaire_response",
]
