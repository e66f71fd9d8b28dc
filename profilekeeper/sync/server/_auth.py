"""The token first: on a link route nothing of the request is judged before its token.

FastAPI reads the body (400 when it cannot) and validates the path, query and body (422)
before any dependency runs, so a request without the link's own token could learn, from a 422,
how its input was wrong. ``check_token_first`` makes those answers wait for the token.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from profilekeeper.sync.server._problems import ProblemError, problem_response
from profilekeeper.sync.server._storage import LinkRow, RetailerStore

_LINK_ID = re.compile(r"[0-9a-f]{32}")


def authenticated(store: RetailerStore, link_id: str, token: str | None) -> LinkRow:
    """The link, if ``token`` is its own; else a forgotten link answers 410, an unknown one 404
    and a live one 401. A malformed id is not looked up at all: 401.

    Raises:
        ProblemError: 401, 404 or 410, as above.
    """
    link = store.authenticate(link_id, token) if token and well_formed(link_id) else None
    if link is None:
        raise refusal(store, link_id)
    return link


def well_formed(link_id: str) -> bool:
    """Whether ``link_id`` is shaped like the ids this server gives (else it is not looked up)."""
    return _LINK_ID.fullmatch(link_id) is not None


def refusal(store: RetailerStore, link_id: str) -> ProblemError:
    """The answer to a token that is not this link's: 410 forgotten, 404 unknown, else 401."""
    # Only now tell a forgotten or unknown link apart from a bad token.
    state = store.link_state(link_id) if well_formed(link_id) else None
    if state == "forgotten":
        return ProblemError(410, "link-forgotten", "this link was forgotten; its data is gone")
    if state == "missing":
        return ProblemError(404, "no-such-link", "no such link")
    return ProblemError(401, "unauthorized", "a bearer token for this link is required",
                        headers={"WWW-Authenticate": 'Bearer realm="profilekeeper"'})


def check_token_first(app: FastAPI, store: RetailerStore) -> None:
    """Wrap the app's 400 and 422 answers: on a link route, a refused token answers instead."""
    answers: dict[type[Exception], Callable[..., object]] = {
        kind: app.exception_handlers[kind] for kind in (RequestValidationError, HTTPException)}

    async def token_first(request: Request, error: Exception) -> Response:
        about_input = not isinstance(error, HTTPException) or error.status_code == 400
        if about_input and (link_id := request.path_params.get("link_id")) is not None:
            try:
                await anyio.to_thread.run_sync(authenticated, store, str(link_id),
                                               _bearer(request))
            except ProblemError as refused:
                return problem_response(refused.status, refused.detail, refused.code,
                                        refused.headers)
        kind = RequestValidationError if isinstance(error, RequestValidationError) \
            else HTTPException  # fmt: skip
        answer = answers[kind](request, error)
        assert inspect.isawaitable(answer)  # _problems' handlers are all async
        response: Response = await answer
        return response

    for kind in answers:
        app.add_exception_handler(kind, token_first)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None
