"""What can go wrong talking to a shop, each with the outcome the activity log records.

``str(error)`` is one plain line in the client's own words. It never holds profile data (no
slice, no pseudonym, no token, no link id); shop text in it (a problem's ``detail``, a reason
a link was refused) is cleaned by ``clean_text`` and capped.
"""

from __future__ import annotations

from typing import Literal

from profilekeeper.errors import ProfileKeeperError

Outcome = Literal["refused", "unreachable", "invalid", "too_large"]
EX_UNAVAILABLE = 69
EX_PROTOCOL = 76


class ShopError(ProfileKeeperError):
    """A request to a shop failed; ``outcome`` says how, the message why."""

    exit_code = EX_UNAVAILABLE
    outcome: Outcome = "refused"


class ShopUnreachable(ShopError):
    """No answer: no connection, TLS not trusted, a timeout, the connection dropped."""

    outcome: Outcome = "unreachable"


class ShopRefused(ShopError):
    """The shop answered with an error status (4xx, 5xx), or a redirect not followed."""

    outcome: Outcome = "refused"

    def __init__(self, message: str, status: int, problem_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status the shop answered."""
        self.problem_type = problem_type
        """The problem document's ``type`` (cleaned), e.g. ``urn:profilekeeper:problem:...``."""


class TermsNotMet(ShopRefused):
    """The shop will not link on the shopper's minimum terms (its 409 ``terms-not-met``)."""

    def __init__(self, message: str, status: int, problem_type: str | None = None,
                 unmet: list[str] | None = None) -> None:
        super().__init__(message, status, problem_type)
        self.unmet = unmet or []
        """Why, one cleaned line each, as the shop said it (or as the client found it)."""


class LinkGone(ShopRefused):
    """A link route answered 404 or 410: the shop no longer has this link."""


class InvalidAnswer(ShopError):
    """The answer is not what the protocol says: not JSON, the wrong shape, a bad page."""

    exit_code = EX_PROTOCOL
    outcome: Outcome = "invalid"


class AnswerTooLarge(ShopError):
    """The answer went past the client's size cap; the client stopped reading it."""

    exit_code = EX_PROTOCOL
    outcome: Outcome = "too_large"
