"""Errors as RFC 9457 problem details (``application/problem+json``), and their handlers.

Validation messages name the field and the rule broken but never echo the value sent: that
value may be a slice of somebody's profile.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from profilekeeper.sync.protocol import PROBLEM_CONTENT_TYPE, Problem


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
            {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", "")),
             "type": str(item.get("type", ""))}
            for item in error.errors()[:20]
        ]
        return problem_response(422, "the request does not match the protocol",
                                "invalid-request", errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        return problem_response(500, f"internal error ({type(error).__name__})", "internal")
