"""Write the reference server's demo catalog: ``profilekeeper/sync/data/catalog.json``.

Everything is fictional and generated from a fixed seed, so running this again gives the same
bytes. Dates are relative (``in_days``), made absolute when the catalog is loaded, so the demo
never runs out of upcoming concerts and screenings.

It is made to meet the demo vault (``profilekeeper/demo.py``): its creators and tags use the
words the demo's shopper and people use (Northern Lights Trio, Iris Calloway, gardening,
coffee, building bricks…), with prices and age bands that fit their budgets and ages, and
``DEMO_PIECES`` puts in the few items the demo must show whatever the seed does.

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
         "Ember & Oak", "The Slow Comets", "Northern Lights Trio"]
AUTHORS = ["Iris Calloway", "Tomas Vell"]
BRANDS = ["Greenhand", "Loop & Purl", "Crimp Works", "Bean Theory", "Old Dairy", "Brickyard",
          "Pitchside", "Rail & Sail", "Spoke Supply"]
CITIES = ["Lisbon", "Porto", "Madrid", "Barcelona", "Berlin", "Hamburg", "Vienna", "Prague",
          "Warsaw", "Amsterdam", "Copenhagen", "Dublin"]
VENUES = ["Arena", "Concert Hall", "Old Theatre", "Riverside Club", "Open-Air Stage"]
GENRES = {
    "books": ["crime", "fantasy", "science fiction", "history", "poetry", "cooking", "travel",
              "biography", "picture book", "young adult", "dinosaurs"],
    "music": ["jazz", "folk", "indie rock", "electronic", "classical", "soul", "hip hop",
              "ambient", "pop", "blues", "synth pop"],
    "films": ["drama", "comedy", "documentary", "animation", "thriller", "western",
              "science fiction", "musical", "horror", "family"],
    # Gifts beyond books, albums and films, in the words the demo's people use.
    "hobbies": ["gardening", "knitting", "bouldering", "cycling", "painting", "photography"],
    "food": ["coffee", "cheese", "Sichuan cooking", "tea", "chocolate", "baking"],
    "games": ["building bricks", "board games", "puzzles", "card games"],
    "sports": ["football", "cycling", "running", "swimming"],
    "travel": ["train journeys", "islands", "city guides", "hiking"],
}
KITS = ["Kit", "Set", "Box", "Sampler", "Starter Pack", "Gift Set", "Collection"]
GIFTS = {"hobbies": (12, 55), "food": (6, 40), "games": (10, 45), "sports": (12, 50),
         "travel": (10, 45)}
"""Price range of each gift category (EUR)."""
WORDS = ["Silent", "Golden", "Last", "Hidden", "Winter", "Paper", "Electric", "Distant",
         "Little", "Broken", "Northern", "Secret", "Blue", "Wild", "Glass", "Burning"]
NOUNS = ["River", "Garden", "Harbour", "Engine", "Lantern", "Orchard", "Atlas", "Kingdom",
         "Summer", "Letters", "Machine", "Island", "Mountain", "Voices", "Clock", "Forest"]
ADULT = ["18-24", "25-34", "35-49", "50-64", "65+"]
AGES = {"picture book": ["0-2", "3-5", "6-9"], "young adult": ["13-17", "18-24"],
        "animation": ["6-9", "10-12", "13-17"], "family": ["3-5", "6-9", "10-12"],
        "dinosaurs": ["3-5", "6-9", "10-12"], "building bricks": ["6-9", "10-12", "13-17"],
        "football": ["10-12", "13-17", *ADULT], "board games": ["10-12", "13-17", *ADULT]}
TEENS_UP = ["13-17", *ADULT]

# The demo's set pieces (``id`` gets the ``dm-`` prefix and ``url``; the rest as written).
# Alex (Lisbon) loves Northern Lights Trio and science fiction and never wants FastFashion Co,
# in a category (brands) the demo does not share: so the shop, not knowing, sends the shirt,
# and only the shopper's own machine hides it, saying why.
DEMO_PIECES: list[dict[str, object]] = [
    {"kind": "release", "category": "music", "title": "Polar Night",
     "creators": ["Northern Lights Trio"], "tags": ["synth pop", "indie rock"],
     "price": "24.99", "release_in_days": 12, "popularity": 88},
    {"kind": "event", "category": "concerts", "title": "Northern Lights Trio: Polar Night Tour",
     "creators": ["Northern Lights Trio"], "tags": ["synth pop", "live"], "price": "38.00",
     "city": "Lisbon", "venue": "Lisbon Riverside Club", "in_days": 19, "hour": 21,
     "popularity": 92},
    {"kind": "event", "category": "concerts", "title": "Northern Lights Trio: Polar Night Tour",
     "creators": ["Northern Lights Trio"], "tags": ["synth pop", "live"], "price": "36.00",
     "city": "Porto", "venue": "Porto Concert Hall", "in_days": 21, "hour": 21,
     "popularity": 80},
    # docs/protocol.md's example shopper loves Velvet Static and lives in Lisbon too.
    {"kind": "event", "category": "concerts", "title": "Velvet Static: Night Shift",
     "creators": ["Velvet Static"], "tags": ["soul", "live"], "price": "45.00",
     "city": "Lisbon", "venue": "Lisbon Arena", "in_days": 33, "hour": 20, "popularity": 77},
    {"kind": "event", "category": "screenings", "title": "The Distant Machine (premiere)",
     "creators": ["Vera Sato"], "tags": ["science fiction", "premiere"], "price": "12.50",
     "city": "Lisbon", "venue": "Lisbon Old Theatre", "in_days": 9, "hour": 21,
     "popularity": 75},
    {"kind": "event", "category": "screenings", "title": "Science Fiction Night: Three Classics",
     "creators": ["Lisbon Film Club"], "tags": ["science fiction", "screening"],
     "price": "15.00", "city": "Lisbon", "venue": "Lisbon Open-Air Stage", "in_days": 26,
     "hour": 20, "popularity": 60},
    {"kind": "product", "category": "clothing", "title": "Northern Lights Trio tour shirt",
     "creators": ["FastFashion Co"], "tags": ["Northern Lights Trio", "band merch"],
     "price": "19.99", "popularity": 70},
    {"kind": "release", "category": "books", "title": "The Lantern Keeper",
     "creators": ["Iris Calloway"], "tags": ["fantasy"], "price": "22.00",
     "release_in_days": 5, "popularity": 85},
    # Maya never wants Glitterbox, and her slice says so: the shop itself leaves this out.
    {"kind": "product", "category": "food", "title": "Glitterbox Sichuan Spice Tin",
     "creators": ["Glitterbox"], "tags": ["Sichuan cooking", "spices"], "price": "18.00",
     "popularity": 65},
]


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


def gift_title(rng: random.Random, tag: str, used: set[str]) -> str:
    while True:
        candidate = f"{rng.choice(WORDS)} {tag.title()} {rng.choice(KITS)}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def price(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.2f}".rsplit(".", 1)[0] + rng.choice([".99", ".50", ".00"])


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    authors = sorted({person(rng) for _ in range(60)})[:40]
    authors += AUTHORS
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
    for category, (low, high) in GIFTS.items():
        for _ in range(24):
            gift = add("gf", category, [rng.choice(BRANDS)], low, high)
            gift["title"] = gift_title(rng, str(gift["tags"][0]), used)
    for _ in range(130):
        artist = rng.choice(artists)
        city = rng.choice(CITIES)
        add("cn", "concerts", [artist], 25, 90, kind="event", city=city,
            venue=f"{city} {rng.choice(VENUES)}", in_days=rng.randint(3, 150),
            hour=rng.choice([19, 20, 21]), tags=[rng.choice(GENRES["music"]), "live"],
            age_bands=ADULT)
    for _ in range(60):  # film tickets: screenings and premieres, only ever in one city
        city = rng.choice(CITIES)
        genre = rng.choice(GENRES["films"])
        add("sc", "screenings", [rng.choice(directors)], 7, 18, kind="event", city=city,
            venue=f"{city} {rng.choice(VENUES)}", in_days=rng.randint(2, 120),
            hour=rng.choice([18, 20, 22]), tags=[genre, rng.choice(["screening", "premiere"])],
            age_bands=AGES.get(genre, TEENS_UP))
    for piece in DEMO_PIECES:
        ident = f"dm-{len(items) + 1:04d}"
        items.append({"id": ident, "url": SHOP + ident, "currency": "EUR",
                      "age_bands": ADULT, **piece})
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
    items = build()
    # One item a line: a third of the bytes of indented JSON, and a diff still reads by item.
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    out.write_text(f'{{"currency": "EUR", "items": [\n{lines}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(items)} items to {out}")


if __name__ == "__main__":
    main()
