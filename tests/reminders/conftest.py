"""Helpers for reminder tests: a vault with known occasions."""

from __future__ import annotations

from datetime import date

import pytest

from profilekeeper.model import Gift, GiftStatus, Occasion, Person

TODAY = date(2026, 5, 1)
"""Every CLI test passes ``--today`` so results never depend on the calendar."""


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
