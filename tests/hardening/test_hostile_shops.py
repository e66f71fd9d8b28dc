"""Hostile shops (#18 §4): what a shop sends never breaks the app nor reaches the screen raw."""

from __future__ import annotations

from profilekeeper.sync.sanitize import clean_text


def test_lone_surrogates_are_cleaned_out_of_shop_text() -> None:
    # JSON may say "\udfff": Python reads it as a lone surrogate, which UTF-8 cannot hold, so
    # a reason quoting it could not be sealed into the vault.
    assert clean_text("a\ud800b\udfffc", limit=10) == "abc"
