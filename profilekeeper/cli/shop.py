"""``shop``: the shops you link to, your minimum terms, and what a shop holds about you.

(The noun ``retailer`` is the shop's own side: ``retailer serve`` and ``retailer check``.)
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from profilekeeper.cli._output import print_table, printable
from profilekeeper.cli._record_commands import (
    SHOP_FAILED,
    action,
    group,
    json_flag,
    print_json,
    run_network,
)
from profilekeeper.cli._unlock import open_unlocked
from profilekeeper.errors import Conflict

if TYPE_CHECKING:
    from profilekeeper.model import Retailer

REFUSED = Conflict.exit_code
"""The exit status of a look at terms below the minimum: a refused connect's (``TermsRefused``)."""
SHOP_HELP = "the shop's id or name, as `shop list` shows it"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = group(sub, common, "shop", "shops you link to: connect, list, show, forget; your terms")
    p = action(common, g, "add", shop_add, "connect a shop by its address (nothing is shared yet)")
    p.add_argument("url", metavar="URL", help="the shop's address, like https://shop.example")
    p.add_argument("--name", metavar="N", help="what to call it (default: the name it gives)")
    p.add_argument("--look", action="store_true",
                   help="only show the shop's terms and whether they meet your minimum; link "
                   f"nothing (exit status 0 if they meet it, {REFUSED} if not, as a refused "
                   "`shop add`)")
    json_flag(action(common, g, "list", shop_list, "list linked shops"))
    p = action(common, g, "show", shop_show, "a shop's terms, grants and last sync")
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    json_flag(p)
    p = action(common, g, "holds", shop_holds, "ask the shop what it holds about you now")
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    json_flag(p)
    p = action(common, g, "forget", shop_forget,
               "ask the shop to delete everything it holds, and unlink it")  # fmt: skip
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    p = action(common, g, "feedback", shop_feedback,
               "send a shop your verdicts on its suggestions (on), or not (off: the default)")
    p.add_argument("shop", metavar="SHOP", help=SHOP_HELP)
    p.add_argument("choice", choices=("on", "off"))
    p = action(common, g, "terms", shop_terms, "show or set the least you accept from a shop")
    p.description = (
        "With no option, show your minimum terms. A shop that keeps data longer, or uses it "
        "for a purpose you do not allow, is refused when you connect it. Resale and "
        "third-party sharing are always refused, by the Sec-GPC: 1 every request carries."
    )
    p.add_argument("--max-retention-days", type=int, metavar="N",
                   help="the longest a shop may keep what you share (default 90)")
    p.add_argument("--allow", nargs="+", metavar="PURPOSE",
                   help="the purposes a shop may use it for, replacing the list "
                   "(default: recommendations gift_ideas offers)")  # fmt: skip
    json_flag(p)


def shop_look(args: argparse.Namespace, url: str) -> int:
    from profilekeeper.services import look_at_shop

    with open_unlocked(args) as vault:
        look = run_network(look_at_shop(vault, url))
    print(f"{printable(look.name)} ({look.url}) would link on these terms:")
    for line in look.terms:
        print(f"  {printable(line)}")
    print(f"It accepts: {printable(', '.join(look.slices)) or 'nothing'}")
    if not look.unmet:
        print("It meets your minimum terms. Nothing is linked yet: connect it with "
              "`profilekeeper shop add URL`.")
        return 0
    print("It falls below your minimum terms, so it would be refused:")
    for reason in look.unmet:
        print(f"  {printable(reason)}")
    return REFUSED


def shop_add(args: argparse.Namespace) -> int:
    from profilekeeper.services import check_url, connect_shop, terms_text

    url = check_url(args.url)
    if args.look:
        return shop_look(args, url)
    with open_unlocked(args) as vault:
        connected = run_network(connect_shop(vault, url, name=args.name))
    shop = connected.shop
    print(f"Connected {printable(shop.name)} (id {shop.id}).")
    for line in terms_text(shop.terms, gpc=shop.gpc):
        print(f"  {printable(line)}")
    if connected.keyring_problem:
        print(f"Its token is kept in the vault: {connected.keyring_problem}.")
    print("Nothing is shared yet: grant slices with "
          "`profilekeeper share grant SHOP SLICE`, check with `share preview SHOP`.")
    return 0


def _last(vault: Any, shop: Retailer) -> str:
    from profilekeeper.model import Activity
    from profilekeeper.services import last_outcome

    last = last_outcome(vault, shop.id, Activity.SHARE, Activity.FETCH, Activity.FORGET)
    return "never" if last is None else f"{last.sent_at:%Y-%m-%d %H:%M} {last.outcome.value}"


def shop_list(args: argparse.Namespace) -> int:
    from profilekeeper.model import ShopStatus
    from profilekeeper.services import grants_of, now_utc
    from profilekeeper.services.shops import shops

    now = now_utc()
    with open_unlocked(args) as vault:
        rows = [(s, len(grants_of(vault, s, now=now)), _last(vault, s)) for s in shops(vault)]
    if args.json:
        print_json([{"id": s.id, "name": s.name, "url": s.base_url, "status": s.status.value,
                     "grants": n, "last_sync": last} for s, n, last in rows])  # fmt: skip
    elif rows:
        status = {ShopStatus.CONNECTED: "connected",
                  ShopStatus.FORGET_PENDING: "FORGET PENDING (asked again at next sync)"}
        print_table(("ID", "NAME", "GRANTS", "LAST SYNC", "STATUS"),
                    [(s.id, s.name, str(n), last, status[s.status]) for s, n, last in rows])
    else:
        print("No shops yet: connect one with `profilekeeper shop add URL`.")
    return 0


def shop_show(args: argparse.Namespace) -> int:
    from profilekeeper.services import (
        expire_receipts,
        find_shop,
        grantable,
        grants_of,
        now_utc,
        terms_text,
    )

    now = now_utc()
    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        expire_receipts(vault, shop.id, now)
        granted = grants_of(vault, shop, now=now)
        choices = grantable(vault)
        last = _last(vault, shop)
    # What to type to grant or revoke it: a person as people.NAME, never their wire ref.
    typed = {(c.slice, c.person_id): _typed(c) for c in choices}
    grants = [{"slice": typed.get((g.slice, g.person_id), g.slice), "since": g.since,
               "until": g.until} for g in granted]  # fmt: skip
    if args.json:
        print_json({"id": shop.id, "name": shop.name, "url": shop.base_url,
                    "status": shop.status.value, "terms": shop.terms, "gpc": shop.gpc,
                    "feedback": shop.feedback_allowed,
                    "linked_at": shop.linked_at, "grants": grants, "last_sync": last})
        return 0
    print(f"{printable(shop.name)}  ({shop.base_url}, id {shop.id})")
    linked = "" if shop.linked_at is None else f"; linked {shop.linked_at:%Y-%m-%d}"
    print(f"Status:    {shop.status.value}{linked}; last sync {last}")
    print(f"Feedback:  {'your verdicts are sent' if shop.feedback_allowed else 'not sent'} "
          "(`shop feedback SHOP on|off`)")
    print("Terms of the link:")
    for line in terms_text(shop.terms, gpc=shop.gpc):
        print(f"  {printable(line)}")
    print("Granted:" if grants else "Granted:   nothing")
    for g in grants:
        until = "until revoked" if g["until"] is None else f"until {g['until']:%Y-%m-%d}"
        print(f"  {printable(str(g['slice']))}  ({until})")
    print("Slices you can grant (`profilekeeper share grant SHOP SLICE`):")
    for c in choices:
        print(f"  {printable(_typed(c))}: {printable(c.description)}")
    return 0


def _typed(choice: Any) -> str:
    return str(choice.slice if choice.person_id is None else f"people.{choice.label}")


def shop_holds(args: argparse.Namespace) -> int:
    from profilekeeper.services import find_shop, what_shop_holds

    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        view = run_network(what_shop_holds(vault, shop))
    if args.json:
        plain = view.model_dump(mode="json", exclude_none=True)  # members unset are not held
        print_json({**view.model_dump(mode="json"), "slices": plain["slices"]})
    elif not view.slices:
        print(f"{printable(shop.name)} says it holds nothing about you.")
    else:
        until = "" if view.expires_at is None else f", until {view.expires_at:%Y-%m-%d %H:%M}"
        print(f"{printable(shop.name)} says it holds{until}:")
        for name, value in view.model_dump(mode="json", exclude_none=True)["slices"].items():
            print(f"  {printable(name)}: {printable(json.dumps(value, ensure_ascii=False))}")
    return 0


def shop_forget(args: argparse.Namespace) -> int:
    from profilekeeper.model import Outcome
    from profilekeeper.services import find_shop, forget_shop

    with open_unlocked(args) as vault:
        shop = find_shop(vault, args.shop)
        done = run_network(forget_shop(vault, shop))
    if done.outcome is Outcome.OK:
        print(f"{printable(shop.name)} confirmed it forgot everything; it is unlinked.")
        return 0
    print(f"{printable(shop.name)} did not confirm: {printable(done.reason)}. Nothing more is "
          "sent to it; `profilekeeper sync` asks it again.")  # fmt: skip
    return SHOP_FAILED


def shop_feedback(args: argparse.Namespace) -> int:
    from profilekeeper.services import allow_feedback, find_shop, takes_feedback

    with open_unlocked(args) as vault:
        shop = allow_feedback(vault, find_shop(vault, args.shop), args.choice == "on")
    if args.choice == "off":
        print(f"Your verdicts are kept here; none goes to {printable(shop.name)}.")
    elif takes_feedback(shop):
        print(f"Your verdicts go to {printable(shop.name)} with the next sync.")
    else:
        print(f"{printable(shop.name)} does not take feedback: your verdicts stay here.")
    return 0


def shop_terms(args: argparse.Namespace) -> int:
    from profilekeeper.services import (
        GPC_NOTE,
        minimum_terms,
        minimum_terms_from,
        set_minimum_terms,
    )

    changing = args.max_retention_days is not None or args.allow is not None
    if changing:  # checked before the passphrase is asked for
        minimum_terms_from(args.max_retention_days, args.allow)
    with open_unlocked(args) as vault:
        terms = minimum_terms(vault)
        if changing:
            terms = minimum_terms_from(args.max_retention_days, args.allow, base=terms)
            set_minimum_terms(vault, terms)
    if args.json:
        print_json({"max_retention_days": terms.max_retention_days,
                    "allowed_purposes": list(terms.allowed_purposes),
                    "allow_resale": False, "allow_third_party_sharing": False})
        return 0
    print("Minimum terms saved." if changing else "Your minimum terms:")
    print(f"  Longest retention: {terms.max_retention_days} days")
    print(f"  Purposes allowed:  {', '.join(terms.allowed_purposes)}")
    print(f"  {GPC_NOTE}")
    return 0
