"""Helpers for reminder tests: a vault with known occasions, and the real keyring gate."""

from __future__ import annotations

import os
from contextlib import closing
from datetime import date

import pytest

from profilekeeper.model import Gift, GiftStatus, Occasion, Person

TODAY = date(2026, 5, 1)
"""Every CLI test passes ``--today`` so results never depend on the calendar."""


def secret_service_reachable() -> bool:
    try:
        import secretstorage

        with closing(secretstorage.dbus_init()) as connection:
            return bool(secretstorage.check_service_availability(connection))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@pytest.fixture
def real_keyring() -> None:
    """Skip without a Secret Service, unless PROFILEKEEPER_REQUIRE_KEYRING says to fail."""
    if secret_service_reachable():
        return
    if os.environ.get("PROFILEKEEPER_REQUIRE_KEYRING"):
        pytest.fail("PROFILEKEEPER_REQUIRE_KEYRING is set but no Secret Service is reachable")
    pytest.skip("no Secret Service reachable (run under dbus-run-session + gnome-keyring)")


@pytest.fixture
def family(vault: object) -> dict[str, object]:
    """Sam: birthday in 9 days, ideas. Kim: anniversary in 40 days, bought. Lou: dismissed."""
    sam, kim, lou = Person("Sam"), Person("Kim Ödegaard"), Person("Lou")
    sam_bday = Occasion("birthday", 5, 10, 1986, person_id=sam.id)
    kim_anniv = Occasion("anniversary", 6, 10, 2016, person_id=kim.id, lead_days=[60])
    lou_bday = Occasion("birthday", 5, 3, person_id=lou.id,
                        reminder_state={"2026": {"dismissed": "true"}})
    gifts = [Gift("Book", person_id=sam.id, occasion_id=sam_bday.id),
             Gift("Scarf", person_id=sam.id),
             Gift("Vase", person_id=kim.id, status=GiftStatus.BOUGHT, occasion_id=kim_anniv.id,
                  on=date(2026, 4, 20))]
    with vault.transaction():  # type: ignore[attr-defined]
        vault.add_all([sam, kim, lou])  # type: ignore[attr-defined]
        vault.add_all([sam_bday, kim_anniv, lou_bday])  # type: ignore[attr-defined]
        vault.add_all(gifts)  # type: ignore[attr-defined]
    return {"sam": sam, "kim": kim, "lou": lou, "sam_bday": sam_bday, "kim_anniv": kim_anniv,
            "lou_bday": lou_bday}
