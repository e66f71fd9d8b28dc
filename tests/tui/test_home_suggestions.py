"""Home's line on suggestions (#16 §4), through Pilot on a real vault: how many are new as the
pipeline shows them (not what a never-interest hides or a verdict settled), and the shopper's
next new release or event; no line at all when none are new."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from profilekeeper.model import Interest, Retailer, Sentiment, Suggestion, SuggestionStatus
from tests.tui.test_flows import remember, settle


def _stock(vault: object) -> None:
    remember(vault)
    v = vault  # type: ignore[assignment]
    v.save(replace(v.profile(), city="Lisbon"))  # type: ignore[attr-defined]
    shop = v.add(Retailer("Shop A", "https://a.example"))  # type: ignore[attr-defined]
    v.add(Interest("music", "Velvet Static", Sentiment.LOVE))  # type: ignore[attr-defined]
    v.add(Interest("music", "Noise Co", Sentiment.NEVER))  # type: ignore[attr-defined]
    v.add_all([  # type: ignore[attr-defined]
        Suggestion(shop.id, "1", "release", "Blue Nights", creators=["Velvet Static"],
                   category="music", details={"release_date": "2026-03-20"}),
        Suggestion(shop.id, "2", "event", "Velvet Static live", creators=["Velvet Static"],
                   category="music", details={"date": "2026-03-12", "city": "Lisbon"}),
        Suggestion(shop.id, "3", "event", "Far away gig", category="music",
                   details={"date": "2026-03-05", "city": "Oslo"}),  # not the shopper's city
        Suggestion(shop.id, "4", "release", "Loud", creators=["Noise Co"],
                   details={"release_date": "2026-03-03"}),  # a never-interest hides it
        Suggestion(shop.id, "5", "product", "Old news", status=SuggestionStatus.SHOWN),
    ])  # fmt: skip


def _glance(app: object) -> Static:
    return app.screen.query_one("#glance", Static)  # type: ignore[attr-defined,no-any-return]


async def test_home_counts_new_suggestions_and_names_the_next_release_or_event(
    make, vault  # type: ignore[no-untyped-def]
) -> None:
    _stock(vault)
    vault.close()
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        glance = _glance(app)
        assert glance.display
        text = str(glance.render())
        assert text.startswith("2 new suggestions")  # the release and the Lisbon concert
        assert "next: Velvet Static live, concert in Lisbon on 12 Mar" in text
        assert "Loud" not in text and "Far away" not in text


async def test_no_line_when_no_suggestion_is_new(make, vault) -> None:  # type: ignore[no-untyped-def]
    remember(vault)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Suggestion(shop.id, "1", "product", "Kite", status=SuggestionStatus.SHOWN))
    vault.close()
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert not _glance(app).display
