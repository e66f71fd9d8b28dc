"""Linked shops: looking at one (discovery, its terms against the owner's minimum), connecting
one (the same, then the link), finding one by what ``shop list`` shows, keeping its token.

The token lives in the OS keyring, named by the vault and the shop; on a machine with none it
is kept in the vault instead (sealed, like every field), and ``Retailer.token_in_keyring`` says
which. Network calls are ``async`` (the CLI runs them with ``asyncio.run``, the app awaits
them); every vault write comes after the network part, so a shop that hangs holds no lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import Activity, Outcome, Retailer
from profilekeeper.services.activity import record
from profilekeeper.services.settings import MinimumTerms, minimum_terms
from profilekeeper.store import keys

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.client import ShopClient
    from profilekeeper.sync.protocol import Discovery, ProfileView, RequiredTerms, Terms

NAME_LIMIT = 80


class TermsRefused(Conflict):
    """A shop's terms fall below the owner's minimum: refused here, or by the shop itself."""

    def __init__(self, reasons: list[str], *, by_shop: bool = False) -> None:
        who = "the shop refused to link on your terms" if by_shop else \
            "not linked: the shop's terms fall below your minimum"  # fmt: skip
        super().__init__(f"{who}: " + "; ".join(reasons))
        self.reasons = reasons
        self.by_shop = by_shop


@dataclass(frozen=True)
class ShopLook:
    """What a shop says of itself before any link (its own words, cleaned: print them as data)."""

    url: str
    name: str
    terms: list[str]
    """Its terms in plain words (as a link would get them), one line each."""
    slices: list[str]
    """The slices (or families, ``interests.*``) it accepts."""
    unmet: list[str]
    """Why its terms fall below the owner's minimum; empty when they meet it."""


@dataclass(frozen=True)
class Connected:
    shop: Retailer
    keyring_problem: str = ""
    """Why the token is kept in the vault instead of the keyring ("" when in the keyring)."""


def now_utc() -> datetime:
    return datetime.now(UTC)


# -- finding shops -------------------------------------------------------------------------


def shops(vault: Vault) -> list[Retailer]:
    """Every linked shop (and shops waiting for a forget to be confirmed), by name."""
    return sorted(vault.list(Retailer), key=lambda s: (s.name.casefold(), s.id))


def find_shop(vault: Vault, text: str) -> Retailer:
    """The shop ``text`` names: its id, or its name as ``shop list`` shows it (any case)."""
    every = shops(vault)
    wanted = text.strip().casefold()
    for found in (
        [s for s in every if s.id == text.strip()],
        [s for s in every if s.name.casefold() == wanted],
    ):
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput("more than one shop has that name: use its id from `shop list`")
    raise NotFound("no shop by that name or id: see `profilekeeper shop list`")


# -- tokens --------------------------------------------------------------------------------


def keep_token(vault: Vault, shop: Retailer, token: str, *, use_keyring: bool = True) -> str:
    """Put ``token`` in the keyring, or in ``shop`` (saved by the caller) when there is none or
    ``use_keyring`` is False (the demo); returns why it is not in the keyring ("" when it is)."""
    shop.token, shop.token_in_keyring = token, False
    if not use_keyring:
        return "the keyring was not to be used"
    try:
        keys.remember_token(vault.vault_id, shop.id, token)
    except keys.KeyringUnavailable as error:
        return str(error)
    shop.token, shop.token_in_keyring = "", True
    return ""


def shop_token(vault: Vault, shop: Retailer) -> str:
    """The shop's bearer token; ``KeyringUnavailable`` when it is in an unusable keyring."""
    if not shop.token_in_keyring:
        return shop.token
    if (token := keys.recall_token(vault.vault_id, shop.id)) is None:
        raise NotFound("the shop's token is not in this device's keyring: forget the shop "
                       "and connect it again")  # fmt: skip
    return token


def drop_token(vault: Vault, shop: Retailer) -> str:
    """Delete the token from the keyring and the record (saved by the caller); returns a
    problem to report ("" when none)."""
    shop.token = ""
    try:
        keys.forget_token(vault.vault_id, shop.id)
    except keys.KeyringUnavailable as error:
        if shop.token_in_keyring:
            return f"its token could not be deleted from the keyring: {error}"
    return ""


def client_for(shop: Retailer, token: str | None = None) -> ShopClient:
    from profilekeeper.sync.client import ShopClient

    return ShopClient(shop.base_url, token=token,
                      base_path=shop.discovery.get("base_path", "/v1"))  # fmt: skip


# -- connecting ----------------------------------------------------------------------------


def check_url(url: str) -> str:
    """The shop's base URL, checked before anything is sent; no trailing slash."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or parts.query or parts.fragment:  # fmt: skip
        raise InvalidInput("give the shop's address, like https://shop.example")
    return url


def required_terms(minimum: MinimumTerms) -> RequiredTerms:
    from profilekeeper.sync.protocol import RequiredTerms

    return RequiredTerms(max_retention_days=minimum.max_retention_days,
                         allowed_purposes=list(minimum.allowed_purposes))  # fmt: skip


def offered_terms(discovery: Discovery) -> Terms:
    """The terms a link gets: every request carries ``Sec-GPC: 1``, which a shop honouring it
    takes as no resale and no sharing."""
    from profilekeeper.sync.protocol import terms_under_gpc

    return terms_under_gpc(discovery.terms) if discovery.honours_gpc else discovery.terms


def unmet(terms: Terms, minimum: MinimumTerms) -> list[str]:
    from profilekeeper.sync.protocol import unmet_terms

    return unmet_terms(terms, required_terms(minimum))


def _shown(text: str) -> str:
    from profilekeeper.sync.sanitize import clean_text

    return " ".join(clean_text(text, limit=NAME_LIMIT).split())


def _new_shop(vault: Vault, url: str, name: str | None, discovery: Discovery) -> Retailer:
    # The client cleaned the shop's own name; --name is cleaned too, as any name shown.
    shown = _shown(name or discovery.retailer.name)
    if not shown:
        raise InvalidInput("the shop needs a name: give one with --name")
    if any(s.name.casefold() == shown.casefold() for s in shops(vault)):
        raise Conflict("a shop with that name is connected already: choose another with --name")
    return Retailer(name=shown, base_url=url, shop_id=discovery.retailer.id,
                    discovery=discovery.model_dump(mode="json"))  # fmt: skip


def _unlinked(vault: Vault, url: str) -> str:
    url = check_url(url)
    if any(s.base_url == url for s in shops(vault)):
        raise Conflict("that shop is connected already: see `profilekeeper shop list`")
    return url


async def _discover(url: str) -> Discovery:
    """The one discovery step a look and a connect share (checked by the client)."""
    async with client_for(Retailer(name=url, base_url=url)) as client:
        return await client.discover()


def _look(url: str, discovery: Discovery, minimum: MinimumTerms) -> ShopLook:
    terms = offered_terms(discovery)
    offer = terms_text(terms.model_dump(mode="json"), gpc=discovery.honours_gpc, linked=False)
    return ShopLook(url, _shown(discovery.retailer.name), offer,
                    [_shown(s) for s in discovery.slices_accepted], unmet(terms, minimum))


async def look_at_shop(vault: Vault, url: str) -> ShopLook:
    """What the shop at ``url`` promises and whether that meets the owner's minimum, before
    any link: discovery only, nothing written to the vault. Failures raise ``ShopError``."""
    url = _unlinked(vault, url)
    return _look(url, await _discover(url), minimum_terms(vault))


async def connect_shop(vault: Vault, url: str, *, name: str | None = None,
                       now: datetime | None = None, use_keyring: bool = True) -> Connected:
    """Link the shop at ``url`` under a fresh pseudonym, if its terms meet the owner's minimum.

    Refusals (``TermsRefused``: here, by the shop's 409, or a link the client found on worse
    terms than asked and took back) and failures (``ShopError``) are recorded in the activity
    log before they are raised. Nothing is granted: the shop receives nothing until slices are.
    """
    from profilekeeper.sync.client import ShopError, TermsNotMet

    url, now = _unlinked(vault, url), now or now_utc()
    minimum = minimum_terms(vault)
    shop = Retailer(name=name or urlsplit(url).hostname or url, base_url=url)  # until named
    try:
        discovery = await _discover(url)
        shop = _new_shop(vault, url, name, discovery)
        if reasons := _look(url, discovery, minimum).unmet:
            record(vault, shop, Activity.CONNECT, Outcome.REFUSED, "; ".join(reasons), now=now)
            raise TermsRefused(reasons)
        async with client_for(shop) as client:  # it forgets a link made on worse terms
            created = await client.create_link(shop.pseudonym, required_terms(minimum))
    except TermsNotMet as error:
        reasons = list(error.unmet) or [str(error)]
        record(vault, shop, Activity.CONNECT, Outcome.REFUSED, "; ".join(reasons), now=now)
        raise TermsRefused(reasons, by_shop=True) from None
    except ShopError as error:
        record(vault, shop, Activity.CONNECT, Outcome(error.outcome), str(error), now=now)
        raise
    shop.link_id, shop.linked_at, shop.gpc = created.link_id, created.created_at, created.gpc
    shop.terms = created.terms.model_dump(mode="json")
    problem = keep_token(vault, shop, created.token, use_keyring=use_keyring)
    with vault.transaction():
        vault.save(shop)
        record(vault, shop, Activity.CONNECT, Outcome.OK,
               "linked; nothing is shared until you grant slices", now=now)
    return Connected(shop, problem)


async def what_shop_holds(vault: Vault, shop: Retailer) -> ProfileView:
    """What the shop says it holds about the owner now (``GET …/profile``, live)."""
    token = shop_token(vault, shop)
    async with client_for(shop, token) as client:
        return await client.get_profile(shop.link_id)


def terms_text(terms: dict[str, object], *, gpc: bool, linked: bool = True) -> list[str]:
    """A link's terms (or, not ``linked``, a shop's offer) in plain words, one line each (shop
    text: print it as data)."""
    purposes = terms.get("purposes") or []
    assert isinstance(purposes, list)
    yes_no = {True: "yes", False: "no"}
    gpc_said = "not confirmed" if not gpc else \
        "confirmed for this link" if linked else "honoured, it says"  # fmt: skip
    return [
        f"Keeps what you share at most {terms.get('retention_days')} days",
        f"Uses it for: {', '.join(str(p) for p in purposes)}",
        f"Sells it: {yes_no[bool(terms.get('resale'))]}; passes it to others: "
        f"{yes_no[bool(terms.get('third_party_sharing'))]}",
        f"Global Privacy Control: {gpc_said}",
        f"Privacy policy: {terms.get('privacy_policy_url', '')}",
    ]
