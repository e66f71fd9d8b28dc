"""Changing records the way every front end must: the rules live here, not in a screen or a
command."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from profilekeeper.model import Purchase

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault


def mark_purchase_as_gift(vault: Vault, purchase_id: str, person_id: str | None) -> Purchase:
    """Record that a purchase was a gift (or undo it with None); gifts never personalize."""
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, gift_for=person_id))


def toggle_personalize(vault: Vault, purchase_id: str) -> Purchase:
    purchase = vault.get(Purchase, purchase_id)
    return vault.save(replace(purchase, personalize=not purchase.personalize))
