"""``python -m profilekeeper.sync.server --dump-openapi [FILE]``: write the OpenAPI document.

``docs/openapi.json`` is made this way; a test keeps it identical to what the server serves.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from profilekeeper.sync.server import build_app


def openapi_text() -> str:
    return json.dumps(build_app("sqlite://").openapi(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m profilekeeper.sync.server")
    parser.add_argument("--dump-openapi", metavar="FILE", nargs="?", const="-", required=True,
                        help="write the OpenAPI document to FILE (default: standard output)")
    args = parser.parse_args()
    text = openapi_text()
    if args.dump_openapi == "-":
        sys.stdout.write(text)
    else:
        Path(args.dump_openapi).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
