"""Home's greeting: "Welcome back, NAME!" is the opted-out level of personalization (#16 §6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from profilekeeper import demo, services


@pytest.mark.parametrize(("opted_in", "words"), [
    (False, "Welcome back, Alex!"), (None, "Welcome back, Alex!"), (True, "Hello, Alex.")])
def test_welcome_back_only_for_a_shopper_who_is_not_opted_in(
    vault, opted_in: bool | None, words: str,  # type: ignore[no-untyped-def]
) -> None:
    demo.fill_demo(vault, date(2026, 12, 3))  # the demo shopper, Alex, is opted in
    vault.save(replace(vault.profile(), opted_in=opted_in))
    assert services.home_view(vault, date(2026, 12, 3)).greeting == words


def test_a_shopper_with_no_name_is_greeted_without_one(vault) -> None:  # type: ignore[no-untyped-def]
    assert services.home_view(vault, date(2026, 12, 3)).greeting == "Welcome back!"
    vault.save(replace(vault.profile(), opted_in=True))
    assert services.home_view(vault, date(2026, 12, 3)).greeting == "Hello."
