"""Errors as RFC 9457 problem details (``application/problem+json``), and their handlers.

Validation messages name the field and the rule broken but never echo anything sent: a value,
a slice name or a made-up member name may be a slice of somebody's profile. Locations keep the
protocol's own member names and list positions; any other name becomes ``*``. Messages keep
pydantic's wording up to the point where it would quote what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from profilekeeper.sync import protocol
from profilekeeper.sync.protocol import PROBLEM_CONTENT_TYPE, Problem

_ROUTE_NAMES = frozenset({"body", "query", "path", "header", "cookie",
                          "link_id", "limit", "cursor", "kind"})
_SCHEMA_NAMES = _ROUTE_NAMES | frozenset(
    name
    for model in vars(protocol).values()
    if isinstance(model, type) and issubclass(model, BaseModel)
    for field_name, field in model.model_fields.items()
    for name in (field_name, field.alias)
    if name
)
"""Member names the protocol defines: the only names an error location may repeat."""
_SAFE_CONTEXT = frozenset({
    "actual_length", "class", "class_name", "decimal_places", "discriminator", "expected",
    "expected_plural", "expected_schemes", "expected_tags", "expected_version", "field_type",
    "ge", "gt", "le", "lt", "max_digits", "max_length", "min_length", "multiple_of", "pattern",
    "whole_digits",
})
"""Parts of a pydantic message that come from the schema, never from the input."""


class ProblemError(Exception):
    """Raised by a route to answer with a problem document."""

    def __init__(self, status: int, code: str, detail: str,
                 headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_response(status: int, detail: str | None, code: str | None = None,
                     headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    body = Problem(
        type=f"urn:profilekeeper:problem:{code}" if code else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        **extensions,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error.status, error.detail, error.code, error.headers,
                                **error.extensions)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(error.status_code, str(error.detail), None,
                                dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": _location(item.get("loc", ())), "msg": _message(item),
             "type": str(item.get("type", ""))}
            for item in error.errors()[:20]
        ]
        return problem_response(422, "the request does not match the protocol",
                                "invalid-request", errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        return problem_response(500, f"internal error ({type(error).__name__})", "internal")


def _location(loc: tuple[int | str, ...]) -> list[str]:
    """Where the error is, by schema names and list positions only."""
    return [str(part) if isinstance(part, int) or part in _SCHEMA_NAMES else "*"
            for part in loc]


def _message(item: Mapping[str, Any]) -> str:
    """Pydantic's message, cut before any part of it that came from the input."""
    message = str(item.get("msg", ""))
    for key, value in (item.get("ctx") or {}).items():
        quoted = str(value)
        at = message.find(quoted) if key not in _SAFE_CONTEXT and quoted else -1
        if at >= 0:
            message = message[:at].rstrip(" ,:'\"")
    return message or "not valid here"
