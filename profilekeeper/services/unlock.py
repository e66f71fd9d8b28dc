"""Passphrases: how long, how strong (one rule for the CLI and the app)."""

from __future__ import annotations

MIN_PASSPHRASE = 8


def passphrase_hint(passphrase: str) -> tuple[int, str]:
    """A rough strength score 0–4 and a plain hint; length matters most for passphrases."""
    if not passphrase:
        return 0, "Choose a passphrase: several words are easier to remember than symbols."
    if len(passphrase) < MIN_PASSPHRASE:
        return 0, f"Too short: use at least {MIN_PASSPHRASE} characters."
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    words = len(passphrase.split())
    score = min(4, len(passphrase) // 8 + (kinds >= 3) + (words >= 3))
    hints = {
        1: "Weak: add another word or two.",
        2: "Fair: a longer phrase is stronger.",
        3: "Good.",
        4: "Strong.",
    }
    return score, hints.get(score, "Weak: add another word or two.")
