"""Careful HTTP to one shop: what every request of ``ShopClient`` goes through.

- TLS verified (certificates and host names, never turned off); ``https://`` only,
  ``http://`` just to this machine (tests, the demo).
- A deadline on every attempt as a whole (connect, headers, body), on top of httpx's timeouts,
  so a shop dripping a byte a second cannot hold a sync.
- Redirects followed by hand, only to the same scheme, host and port, at most ``MAX_REDIRECTS``;
  one to anywhere else is refused, so a token never travels to another host.
- ``Sec-GPC: 1``, ``User-Agent: profilekeeper/<version>`` and ``Accept-Encoding: identity`` on
  every request; the bearer token only on link routes.
- Bodies read streamed and dropped at ``MAX_RESPONSE_BYTES``; compressed answers refused (a
  small compressed body can unpack to gigabytes).
- Retries with backoff only where repeating is safe: transport errors and 5xx for GET, PUT
  and DELETE; 429 (waiting out ``Retry-After`` up to ``max_retry_after``) for anything the
  caller allows. ``POST /v1/links`` is sent once, whatever happens.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from profilekeeper import __version__
from profilekeeper.errors import InvalidInput
from profilekeeper.sync.protocol import MAX_RESPONSE_BYTES
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.shop_errors import (
    AnswerTooLarge,
    InvalidAnswer,
    LinkGone,
    ShopRefused,
    ShopUnreachable,
)

USER_AGENT = f"profilekeeper/{__version__}"
MAX_REDIRECTS = 3
SAFE_TO_REPEAT = frozenset({"GET", "PUT", "DELETE"})
"""Methods whose repetition changes nothing more (PUT replaces the whole profile)."""
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise InvalidAnswer(f"the shop's answer ({self.status}) is not JSON") from None

    def problem(self) -> dict[str, Any]:
        """The problem document, read leniently: whatever is not one counts as empty."""
        try:
            body = json.loads(self.body)
        except (ValueError, RecursionError):
            return {}
        return body if isinstance(body, dict) else {}

    def problem_type(self) -> str | None:
        kind = self.problem().get("type")
        if not isinstance(kind, str):
            return None
        return clean_text(kind, limit=120) or None

    def retry_after(self) -> float:
        """Seconds ``Retry-After`` asks for (a number or an HTTP date); 1 when it says none."""
        value = self.headers.get("retry-after", "").strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return 1.0
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def refusal(answer: Answer, *, link_route: bool) -> ShopRefused:
    """The error for an answer with an error status: one line, shop text cleaned and capped."""
    problem = answer.problem()
    kind = answer.problem_type()
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    detail = clean_text(detail or "", limit=160)
    why = f" ({clean_text(kind.rsplit(':', 1)[-1], limit=40)})" if kind else ""
    message = f"the shop answered {answer.status}{why}" + (f": {detail}" if detail else "")
    if link_route and answer.status in (404, 410):
        return LinkGone(message, answer.status, kind)
    return ShopRefused(message, answer.status, kind)


def shop_origin(base_url: str) -> httpx.URL:
    """The shop's origin from the address the shopper gave.

    Raises:
        InvalidInput: not ``https://host[:port]`` (``http://`` only to this machine), or with a
            path, query or user name.
    """
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError):
        raise InvalidInput("the shop's address is not a URL") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidInput("the shop's address must start with https://")
    if url.scheme == "http" and url.host not in LOCAL_HOSTS:
        raise InvalidInput("the shop's address must be https:// (http:// only to this machine)")
    if url.userinfo or url.query or url.fragment or url.path not in ("", "/"):
        raise InvalidInput("the shop's address must be just https://host (no path, no user)")
    return url.copy_with(path="/")


@functools.cache
def verified_tls() -> ssl.SSLContext:
    """The one TLS context every shop's client uses: certificates and host names checked.

    Made once: reading the CA bundle takes ~40 ms, which ten clients made at once for a sync
    would pay ten times. It is configuration only; connections and their state stay per client.
    """
    return httpx.create_ssl_context(verify=True)


class ShopHttp:
    """Requests to one shop; one httpx client of its own, shared with nobody."""

    def __init__(self, base_url: str, *, timeout: float, retries: int, backoff: float,
                 max_retry_after: float, transport: httpx.AsyncBaseTransport | None) -> None:
        self.origin = shop_origin(base_url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport,
            verify=verified_tls(),
            headers={"User-Agent": USER_AGENT, "Sec-GPC": "1", "Accept": "application/json",
                     "Accept-Encoding": "identity"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(self, method: str, path: str, *, token: str | None = None,
                      content: bytes | None = None, params: dict[str, Any] | None = None,
                      repeat: bool = True) -> Answer:
        """Send until an answer worth returning; ``repeat=False`` sends exactly once.

        Raises:
            ShopUnreachable, ShopRefused (a redirect not followed, 429 past the wait allowed),
            AnswerTooLarge, InvalidAnswer.
        """
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        safe = repeat and method in SAFE_TO_REPEAT
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                answer = await self._once(method, path, headers, content, params)
            except ShopUnreachable:
                if last or not safe:
                    raise
                await asyncio.sleep(self._pause(attempt))
                continue
            if answer.status == 429 and repeat and not last:
                wait = answer.retry_after()
                if wait <= self.max_retry_after:
                    await asyncio.sleep(wait)
                    continue
            elif answer.status in RETRIED_STATUSES and safe and not last:
                await asyncio.sleep(self._pause(attempt))
                continue
            return answer
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, attempt: int) -> float:
        # Exponential, with jitter so shops failing together are not retried in lockstep.
        return float(self.backoff * 2**attempt * random.uniform(0.5, 1.0))  # noqa: S311

    async def _once(self, method: str, path: str, headers: dict[str, str],
                    content: bytes | None, params: dict[str, Any] | None) -> Answer:
        url = self.origin.join(path)
        try:
            async with asyncio.timeout(self.timeout):
                for _hop in range(MAX_REDIRECTS + 1):
                    request = self._client.build_request(method, url, params=params,
                                                         content=content, headers=headers)
                    response = await self._client.send(request, stream=True)
                    try:
                        if not response.is_redirect:
                            return Answer(response.status_code, response.headers,
                                          await _read_capped(response))
                        url = self._redirect_target(method, response)
                        params = None  # the Location carries its own query
                    finally:
                        await response.aclose()
                raise ShopRefused(f"the shop redirected more than {MAX_REDIRECTS} times",
                                  response.status_code)
        except (TimeoutError, httpx.TimeoutException):
            raise ShopUnreachable(f"the shop did not answer within {self.timeout:g} s") from None
        except httpx.ConnectError as error:
            if _caused_by_tls(error):
                raise ShopUnreachable("the shop's TLS certificate is not trusted") from None
            raise ShopUnreachable("could not connect to the shop") from None
        except httpx.HTTPError as error:
            raise ShopUnreachable(
                f"the connection to the shop failed ({type(error).__name__})") from None

    def _redirect_target(self, method: str, response: httpx.Response) -> httpx.URL:
        status = response.status_code
        try:
            target = response.url.join(response.headers["location"])
        except (httpx.InvalidURL, KeyError):
            raise InvalidAnswer(f"the shop redirected ({status}) to no usable URL") from None
        same = (target.scheme, target.host, target.port) == \
            (self.origin.scheme, self.origin.host, self.origin.port)
        if not same:
            raise ShopRefused(f"the shop redirected ({status}) to another host; not followed",
                              status)
        if method != "GET" and status not in (307, 308):
            # Only 307 and 308 keep the method and body; any other would change the request.
            raise ShopRefused(f"the shop redirected a {method} ({status}); not followed", status)
        return target


async def _read_capped(response: httpx.Response) -> bytes:
    """The body, read in chunks and dropped as soon as it passes the cap."""
    mib = MAX_RESPONSE_BYTES // (1024 * 1024)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise AnswerTooLarge(f"the shop's answer is over {mib} MiB; not read")
    if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise InvalidAnswer("the shop sent a compressed answer it was not asked for")
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise AnswerTooLarge(f"the shop's answer is over {mib} MiB; stopped reading")
    return bytes(body)


def _caused_by_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
