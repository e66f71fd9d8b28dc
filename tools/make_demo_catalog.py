"""Write the reference server's demo catalog: ``profilekeeper/sync/data/catalog.json``.

Everything is fictional and generated from a fixed seed, so running this again gives the same
bytes. Dates are relative (``in_days``), made absolute when the catalog is loaded, so the demo
never runs out of upcoming concerts.

    python tools/make_demo_catalog.py [OUT]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20261123
OUT = Path(__file__).resolve().parent.parent / "profilekeeper/sync/data/catalog.json"
SHOP = "https://demo-retailer.invalid/items/"

FIRST = ["Ada", "Bruno", "Clara", "Dario", "Elsa", "Felix", "Greta", "Hugo", "Ines", "Jonas",
         "Kaja", "Luca", "Mira", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tilda", "Umberto",
         "Vera", "Wim", "Yara", "Zeno"]
LAST = ["Lumen", "Brasko", "Quill", "Marlow", "Fenwick", "Okafor", "Sato", "Ivers", "Delacroix",
        "Halloran", "Novak", "Ferreira", "Lindqvist", "Moreau", "Castell", "Pereira", "Vance",
        "Adler", "Bergmann", "Rossi"]
BANDS = ["The Paper Lanterns", "Velvet Static", "Northern Harbour", "Copper Finches",
         "Glass Orchard", "The Quiet Engines", "Saltwater Choir", "Midnight Atlas",
         "Ember & Oak", "The Slow Comets"]
CITIES = ["Lisbon", "Porto", "Madrid", "Barcelona", "Berlin", "Hamburg", "Vienna", "Prague",
          "Warsaw", "Amsterdam", "Copenhagen", "Dublin"]
VENUES = ["Arena", "Concert Hall", "Old Theatre", "Riverside Club", "Open-Air Stage"]
GENRES = {
    "books": ["crime", "fantasy", "science fiction", "history", "poetry", "cooking", "travel",
              "biography", "picture book", "young adult"],
    "music": ["jazz", "folk", "indie rock", "electronic", "classical", "soul", "hip hop",
              "ambient", "pop", "blues"],
    "films": ["drama", "comedy", "documentary", "animation", "thriller", "western",
              "science fiction", "musical", "horror", "family"],
}
WORDS = ["Silent", "Golden", "Last", "Hidden", "Winter", "Paper", "Electric", "Distant",
         "Little", "Broken", "Northern", "Secret", "Blue", "Wild", "Glass", "Burning"]
NOUNS = ["River", "Garden", "Harbour", "Engine", "Lantern", "Orchard", "Atlas", "Kingdom",
         "Summer", "Letters", "Machine", "Island", "Mountain", "Voices", "Clock", "Forest"]
AGES = {"picture book": ["0-2", "3-5", "6-9"], "young adult": ["13-17", "18-24"],
        "animation": ["6-9", "10-12", "13-17"], "family": ["3-5", "6-9", "10-12"]}
ADULT = ["18-24", "25-34", "35-49", "50-64", "65+"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def title(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = f"The {rng.choice(WORDS)} {rng.choice(NOUNS)}"
        if rng.random() < 0.4:
            candidate += f" {rng.choice(['I', 'II', 'Revisited', 'Stories', 'Live'])}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def price(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.2f}".rsplit(".", 1)[0] + rng.choice([".99", ".50", ".00"])


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    authors = sorted({person(rng) for _ in range(60)})[:40]
    artists = sorted({person(rng) for _ in range(30)})[:22] + BANDS
    directors = sorted({person(rng) for _ in range(40)})[:25]
    items: list[dict[str, object]] = []
    used: set[str] = set()

    def add(prefix: str, category: str, creators: list[str], low: float, high: float,
            **extra: object) -> dict[str, object]:
        genre_tags = rng.sample(GENRES[category], 2) if category in GENRES else []
        ident = f"{prefix}-{len(items) + 1:04d}"
        ages = sorted({a for tag in genre_tags for a in AGES.get(tag, [])}) or ADULT
        item: dict[str, object] = {
            "id": ident, "kind": "product", "category": category, "title": title(rng, used),
            "creators": creators, "tags": genre_tags, "price": price(rng, low, high),
            "currency": "EUR", "url": SHOP + ident, "age_bands": ages,
            "popularity": rng.randint(1, 100),
        }
        item.update(extra)
        items.append(item)
        return item

    for _ in range(160):
        add("bk", "books", [rng.choice(authors)], 8, 35)
    for _ in range(130):
        add("al", "music", [rng.choice(artists)], 9, 30)
    for _ in range(100):
        add("fm", "films", [rng.choice(directors)], 6, 25)
    # A quarter of books, albums and films are releases: recent or coming soon.
    for item in rng.sample(items, len(items) // 4):
        item["kind"] = "release"
        item["release_in_days"] = rng.randint(-45, 60)
    for _ in range(130):
        artist = rng.choice(artists)
        city = rng.choice(CITIES)
        add("cn", "concerts", [artist], 25, 90, kind="event", city=city,
            venue=f"{city} {rng.choice(VENUES)}", in_days=rng.randint(3, 150),
            hour=rng.choice([19, 20, 21]), tags=[rng.choice(GENRES["music"]), "live"],
            age_bands=ADULT)
    for product in rng.sample([i for i in items if i["kind"] == "product"], 70):
        offer = dict(product)
        offer.update(id=f"of-{len(items) + 1:04d}", kind="offer",
                     discount_percent=rng.choice([10, 15, 20, 25, 30, 40, 50]),
                     expires_in_days=rng.randint(2, 40))
        offer["url"] = SHOP + str(offer["id"])
        items.append(offer)
    return items


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    body = {"currency": "EUR", "items": build()}
    out.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(body['items'])} items to {out}")


if __name__ == "__main__":
    main()
