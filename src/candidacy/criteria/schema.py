"""JSON Schema of the criteria file format, for editors that validate and autocomplete YAML."""

from __future__ import annotations

import json

from candidacy.criteria.models import CriteriaSet

__all__ = ["criteria_json_schema"]


def criteria_json_schema() -> str:
    schema = CriteriaSet.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "candidacy criteria set"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
