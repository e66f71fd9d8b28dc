"""The reference server's OpenAPI document: FastAPI's, with every error a problem document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from profilekeeper.sync.protocol import PROBLEM_CONTENT_TYPE, Problem

WHY = {
    400: "The body is not readable JSON",
    401: "No bearer token, or not this link's token",
    404: "No such link",
    409: "Terms cannot be met, or the cursor is stale",
    410: "The link was forgotten",
    413: "Request body over the limit",
    422: "The request does not match the protocol",
    429: "Over the rate limit (per token, or per address for link creation); see Retry-After",
}
LINK_PROBLEMS = (401, 404, 410, 422, 429)


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that can answer these error codes."""
    return {code: {"model": Problem, "description": WHY[code]} for code in codes}


def openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error typed as ``application/problem+json``."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                         description=_DESCRIPTION, routes=app.routes)
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "422" in responses:
                responses["422"]["description"] = WHY[422]
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(unused, None)
    app.openapi_schema = schema
    return schema


_DESCRIPTION = (
    "Version 1 of the profilekeeper sync protocol, as served by the reference retailer. "
    "Errors are application/problem+json. Request bodies are limited to 256 KiB and pages "
    "to 200 items. `Sec-GPC: 1` turns resale and third-party sharing off for the link. "
    "See docs/protocol.md."
)
