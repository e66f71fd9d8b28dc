"""The ref a shop knows one of the shopper's people by (``people.<ref>``).

Plain Python, apart from the slices (sync/slices.py, which builds them with the pydantic wire
models), so the suggestions pipeline, which matches the refs shops send back, loads without
pydantic (``remind`` lists releases through it: its start-up is a feature).
"""

from __future__ import annotations

import hashlib
import hmac

REF_LENGTH = 26
"""Hex digits of the HMAC kept: 104 bits, so refs of one shop do not collide."""


def person_ref(ref_key: str, person_id: str) -> str:
    """The ref one shop knows ``person_id`` by: HMAC-SHA256 under that shop's ``ref_key``.

    Raises:
        ValueError: ``ref_key`` is empty (every shop gets a random one).
    """
    if not ref_key:
        raise ValueError("a shop's ref key may not be empty")
    return hmac.new(ref_key.encode(), person_id.encode(), hashlib.sha256).hexdigest()[:REF_LENGTH]
