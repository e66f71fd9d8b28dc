"""Hostile answers through everything shop text passes on its way to the screen (#18 §4).

One ``HostileShop`` under a real uvicorn on 127.0.0.1 serves the whole run; each example
scripts its answers (``hostile_answers.Scenario``) and then, as the app does:

- looks at the shop (``services.look_at_shop``: discovery) and connects to it
  (``services.connect_shop``: discovery, the link) at ``http://localhost:PORT``;
- syncs the shop linked at setup (``services.sync_shops``: put, the echo, suggestion pages);
- reads the suggestions through the pipeline (``services.suggestions.read``);
- renders what the screens show of it, with the screens' own functions: the look (the connect
  dialog's ``shop_text``), an error's message, every activity record (Activity's
  ``describe``), every suggestion row, shown or hidden (Suggestions' ``plain`` cells).

Checks: only ``ShopError`` (and the connect refusals it turns into) is raised; every failure
is an activity record with an outcome and a reason; no rendered segment carries an escape, a
C0/C1 control or a bidi control, nor a link or ``@click`` style. Retries stay on, their
pauses off, so an example takes milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from profilekeeper import services
from profilekeeper.model import (
    Interest,
    Occasion,
    Outcome,
    Person,
    Profile,
    Retailer,
    Sentiment,
    ShareRecord,
    Suggestion,
)
from profilekeeper.screens.activity import describe
from profilekeeper.services import suggestions as suggestion_service
from profilekeeper.services.shops import TermsRefused
from profilekeeper.store.crypto import KdfParams
from profilekeeper.store.vault import Vault
from profilekeeper.sync.client import ShopError
from profilekeeper.sync.server import RunningServer
from profilekeeper.sync.shop_http import ShopHttp
from profilekeeper.widgets.table import plain
from profilekeeper.widgets.untrusted import shop_text
from tests.hardening.hostile_answers import DISCOVERED, Answer, Doc, Scenario
from tests.sync.hostile_shop import LINK, HostileShop, Responder, ok

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     r"\ufeff]")  # every control but the line breaks the screens put in
_NUMBERS = re.compile(r"\d+")
FULL_COLLECTION_EVERY = 25


def unsafe_on_screen(text: Text) -> list[str]:
    """What in ``text``, rendered as the screens render it, a terminal would act on."""
    found = []
    console = Console(width=120, color_system="truecolor", force_terminal=True, file=None)
    for segment in console.render(text):
        if (bad := _UNSAFE.search(segment.text)) is not None:
            found.append(f"control U+{ord(bad.group()):04X} in {segment.text[:40]!r}")
        style = segment.style
        if isinstance(style, Style) and (style.link or style.meta):
            found.append(f"a link or action style: {style!r}")
    for span in text.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(str(span.style))
        if style.link or style.meta:
            found.append(f"a link or action span: {span!r}")
    return found


def reason_kind(record: ShareRecord) -> str:
    """A failure's key in the tally: action, outcome and the client's words, shop text out."""
    words = record.reason.split(":", 1)[0]
    words = re.sub(r"\([^)]*\)", "", words)  # a problem type in brackets is the shop's
    return f"{record.action.value}/{record.outcome.value}: {_NUMBERS.sub('N', words).strip()}"


@dataclass
class Tally:
    examples: int = 0
    responses: int = 0
    """Generated answers the shop actually served."""
    crashes: list[str] = field(default_factory=list)
    failures_by_reason: Counter[str] = field(default_factory=Counter)
    rendered: int = 0


@contextlib.contextmanager
def no_pauses() -> Iterator[None]:
    """Every ShopHttp made meanwhile retries at once and waits out no Retry-After."""
    real = ShopHttp.__init__

    def quick(self: ShopHttp, base_url: str, **kwargs: Any) -> None:
        real(self, base_url, **{**kwargs, "backoff": 0.0, "max_retry_after": 0.0,
                                "timeout": min(kwargs["timeout"], 5.0)})
    ShopHttp.__init__ = quick  # type: ignore[method-assign]
    try:
        yield
    finally:
        ShopHttp.__init__ = real  # type: ignore[method-assign]


class Harness:
    """The shop, a vault with Robin, Sam and a shop linked at setup; ``run`` one scenario."""

    def __init__(self, folder: Path) -> None:
        self.shop = HostileShop()
        self.served = 0
        """Generated answers the shop has sent so far."""
        self.server = RunningServer(self.shop.app)
        port = self.server.base_url.rsplit(":", 1)[1]
        self.other_url = f"http://localhost:{port}"  # the same shop, under a name not linked
        self.vault = Vault.create(folder / "vault.sqlite3", "hostile shops", kdf=FAST_KDF)
        self.tally = Tally()
        self._exits = contextlib.ExitStack()
        self._exits.enter_context(no_pauses())
        self.linked, self.refs = self._link()

    def close(self) -> None:
        self._exits.close()
        self.vault.close()
        self.server.stop()

    def _link(self) -> tuple[Retailer, list[str]]:
        vault = self.vault
        sam = Person(name="Sam Lee", relationship="friend", budget=Decimal(30))
        with vault.transaction():
            vault.save(Profile(display_name="Robin", city="Lisbon", opted_in=True))
            vault.add(sam)
            vault.add(Interest(category="music", name="Velvet Static", sentiment=Sentiment.LOVE))
            vault.add(Interest(category="books", name="crime", sentiment=Sentiment.NEVER))
            vault.add(Interest(category="books", name="crime", sentiment=Sentiment.LOVE,
                               person_id=sam.id))
            vault.add(Occasion(kind="birthday", month=12, day=20, person_id=sam.id))
        self.shop.script("GET", "/.well-known/profilekeeper", ok(DISCOVERED))
        shop = asyncio.run(services.connect_shop(vault, self.server.base_url, use_keyring=False)
                           ).shop  # fmt: skip
        now = services.now_utc()
        for name in ("greeting", "interests.music", "interests.books", "people.Sam Lee"):
            services.grant_slice(vault, shop, name, now=now)
        refs = list(services.grants.outgoing(vault, shop, now=now).refs.values())
        self._forget_records()
        return shop, refs

    def _script(self, scenario: Scenario) -> None:
        shop, base = self.shop, f"/v1/links/{LINK}"
        shop._scripts.clear()
        shop.received.clear()
        for method, path, given in (
            ("GET", "/.well-known/profilekeeper", scenario.discovery),
            ("POST", "/v1/links", scenario.link), ("PUT", f"{base}/profile", scenario.put),
            ("GET", f"{base}/profile", scenario.get),
            ("GET", f"{base}/suggestions", scenario.pages),
        ):  # fmt: skip
            shop.script(method, path, *map(self._serving, given))

    def _serving(self, answer: Answer) -> Responder:
        async def serve(_shop: HostileShop, _request: Request) -> Response:
            self.served += 1
            media_type = answer.media_type or None
            if isinstance(answer.content, Doc):  # streamed: made only as far as it is read
                return StreamingResponse(answer.chunks(), status_code=answer.status,
                                         headers=answer.headers, media_type=media_type)
            return Response(answer.body(), status_code=answer.status, headers=answer.headers,
                            media_type=media_type)
        return serve

    def run(self, scenario: Scenario) -> None:
        """One example; what went wrong is added to ``tally.crashes`` (with the scenario's
        shape, never its text)."""
        tally = self.tally
        tally.examples += 1
        self._script(scenario)
        before = self.served
        try:
            self._look_and_connect()
            self._sync()
        except Exception as error:  # anything else is a crash: say which, keep going
            tally.crashes.append(f"{type(error).__name__}: {str(error)[:200]!r}")
        finally:
            tally.responses += self.served - before
            self._forget_records()
            # A failed request's error keeps its traceback, whose frames hold the answer it
            # failed on: a cycle, which a long run of large answers piles up faster than the
            # collector's thresholds come round. A young collection frees most of it, a full
            # one (~0.3 s with everything imported) now and then the rest that got old.
            gc.collect(2 if tally.examples % FULL_COLLECTION_EVERY == 0 else 1)

    def _look_and_connect(self) -> None:
        vault = self.vault
        try:
            look = asyncio.run(services.look_at_shop(vault, self.other_url))
        except ShopError as error:  # the connect dialog shows the message, nothing recorded
            self._screen(shop_text(str(error), limit=1000))
        else:
            self._screen(shop_text(look.name, "bold", limit=200),
                         *(shop_text(line, limit=300) for line in [*look.terms, *look.unmet]),
                         shop_text(", ".join(look.slices), limit=300))
        try:
            connected = asyncio.run(services.connect_shop(
                vault, self.other_url, name="Looked-at shop", use_keyring=False))
        except (ShopError, TermsRefused) as error:
            self._screen(shop_text(str(error), limit=1000))
            self._recorded(expected_failure=True)
            return
        self._recorded(expected_failure=False)
        with vault.transaction():
            vault.delete(Retailer, connected.shop.id)

    def _sync(self) -> None:
        (report,) = asyncio.run(services.sync_shops(self.vault, [self.linked]))
        assert [r.action.value for r in report.records][:1] == ["share"], "no share record"
        self._records(report.records)
        result = suggestion_service.read(self.vault)
        names = {self.linked.id: self.linked.name}
        for ranked in [*result.shown, *result.hidden]:
            s = ranked.suggestion
            self._screen(*(plain(cell) for cell in (s.title, names.get(s.retailer_id, ""),
                                                    ranked.hidden_reason or ranked.reason)))
            assert ranked.reason or ranked.hidden_reason, "an item shown or hidden without why"

    def _recorded(self, *, expected_failure: bool) -> None:
        connects = [r for r in self._records_now() if r.action.value == "connect"]
        assert connects, "a connect left no activity record"
        assert (connects[-1].outcome is not Outcome.OK) is expected_failure, \
            "a connect's record says otherwise than its result"  # fmt: skip
        self._records(connects)

    def _records(self, records: Iterable[ShareRecord]) -> None:
        for record in records:
            if record.outcome is not Outcome.OK:
                assert record.reason.strip(), "a failure recorded without a reason"
                self.tally.failures_by_reason[reason_kind(record)] += 1
            self._screen(describe(record))

    def _screen(self, *texts: Text) -> None:
        for text in texts:
            self.tally.rendered += 1
            if found := unsafe_on_screen(text):
                raise AssertionError("unsafe on screen: " + "; ".join(found[:3]))

    def _records_now(self) -> list[ShareRecord]:
        return list(self.vault.list(ShareRecord))

    def _forget_records(self) -> None:
        """Each example starts from no activity, so the log never grows with the run."""
        with self.vault.transaction():
            for record in self.vault.list(ShareRecord):
                self.vault.delete(ShareRecord, record.id)

    def stored_suggestions(self) -> int:
        return len(list(self.vault.list(Suggestion)))


def run_examples(harness: Harness, examples: int, *, batch: int = 500, first_seed: int = 0) -> None:
    """``examples`` generated scenarios through ``harness``, in batches of fresh hypothesis
    runs (each its own seed), so what hypothesis remembers of a run stays small."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from tests.hardening.hostile_answers import scenarios

    for number, start in enumerate(range(0, examples, batch)):
        @seed(first_seed + number)
        @settings(max_examples=min(batch, examples - start), database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(scenarios(harness.refs))
        def one(scenario: Scenario) -> None:
            harness.run(scenario)

        one()
