"""The error responses every route of the API can give, added to the OpenAPI schema in one place."""
from __future__ import annotations

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_VALIDATION = {"type": "object", "additionalProperties": True,
               "description": "Field name (or non_field_errors / detail) → list of messages."}

_ERRORS = {
    "400": ("ValidationError", "The request was malformed: each bad field with its messages."),
    "401": ("ErrorDetail", "Not signed in."),
    "403": ("ErrorDetail", "Signed in, but not allowed (another customer's data, a missing permission)."),
    "404": ("ErrorDetail", "No such object, or not one of yours."),
    "429": ("ErrorDetail", "Too many requests; retry after the number of seconds in Retry-After."),
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document 400/401/403/404/429 wherever they can occur."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", _DETAIL)
    schemas.setdefault("ValidationError", _VALIDATION)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["401", "403", "429"]
            if method in ("post", "put", "patch"):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            for code in codes:
                name, description = _ERRORS[code]
                operation["responses"].setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                })
    return result
