"""``profilekeeper`` with no command opens the app; ``profilekeeper demo`` opens it on a demo."""

from __future__ import annotations

import argparse
import gc
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="open the app on a demo vault of fictional people (passphrase: demo-passphrase)",
        description="Build a demo vault of fictional people, interests, dates and gifts in the "
        "user data directory (if missing), start two local demo shops (one connected, with "
        "some slices granted and its suggestions fetched; one whose terms the demo refuses), "
        "and open the app on it. The demo passphrase is 'demo-passphrase'; nothing is "
        "remembered in the keyring.",
    )
    demo.add_argument("--fresh", action="store_true", help="rebuild the demo vault first")
    demo.add_argument("--no-retailer", action="store_true",
                      help="do not start the local demo shops")
    demo.set_defaults(handler=run_demo)


def run_app(args: argparse.Namespace) -> int:
    from profilekeeper.app import make_app
    from profilekeeper.store.paths import resolve_vault_path

    launch(make_app(resolve_vault_path(args.vault)))
    return 0


def launch(app: Any) -> None:
    """Run ``app`` with what start-up built set aside from garbage collection.

    The modules, classes and the app imported and built so far live as long as the process; a
    full collection walks them all each time (~0.02 s, once as Home first showed). Frozen, a
    collection walks only what came after."""
    gc.freeze()
    app.run()


def run_demo(args: argparse.Namespace) -> int:
    from profilekeeper import demo
    from profilekeeper.app import make_app

    path = demo.demo_vault_path()
    if args.fresh or not path.exists():
        demo.build_demo_vault(path, fresh=args.fresh)
        print(f"profilekeeper: demo vault at {path} (passphrase: {demo.DEMO_PASSPHRASE})")
    shops = None if args.no_retailer else demo.start_demo_shops(path)
    hint = f"Demo passphrase: {demo.DEMO_PASSPHRASE}"
    if shops is not None:
        print(f"profilekeeper: demo shops on 127.0.0.1; connecting {shops.strict_url} "
              "in Sharing shows a refusal (it keeps data two years)")
        hint += f" · a shop to refuse: {shops.strict_url}"
    try:
        launch(make_app(path, unlock_hint=hint))
    finally:
        if shops is not None:
            shops.stop()
    return 0
