"""The wire models: slice shapes by name, terms comparison, import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from profilekeeper.sync import (
    SLICE_FAMILIES,
    PersonSlice,
    ProfilePut,
    RequiredTerms,
    Terms,
    UpcomingOccasionsSlice,
    slice_accepted,
    slice_model,
    terms_under_gpc,
    unmet_terms,
)
from tests.sync.conftest import MUSIC_FAN, profile_body

TERMS = Terms(retention_days=90, purposes=["recommendations", "offers"], resale=False,
              third_party_sharing=False, privacy_policy_url="https://shop.invalid/privacy")


def test_every_documented_slice_validates_with_its_own_shape() -> None:
    body = profile_body({
        **MUSIC_FAN,
        "interests.boardgames": {"items": [{"name": "co-op", "sentiment": "like"}]},
        "purchases": {"items": [{"title": "The Blue Lantern", "category": "books",
                                 "on": "2026-10-01"}]},
        "people.nephew-1": {"relationship": "nephew", "age_band": "6-9",
                            "interests": [{"category": "books", "name": "picture book",
                                           "sentiment": "love"}],
                            "budget": {"amount": "25.00", "currency": "EUR"}},
        "occasions.upcoming": {"horizon_days": 45,
                               "items": [{"for": "nephew-1", "kind": "birthday",
                                          "date": "2026-12-01"}]},
    })
    put = ProfilePut.model_validate(body)
    assert isinstance(put.slices["people.nephew-1"], PersonSlice)
    upcoming = put.slices["occasions.upcoming"]
    assert isinstance(upcoming, UpcomingOccasionsSlice)
    assert upcoming.items[0].for_ == "nephew-1"
    # What goes out is what came in: the alias ``for`` survives a round trip.
    assert put.model_dump(mode="json")["slices"]["occasions.upcoming"]["items"][0]["for"] == \
        "nephew-1"


@pytest.mark.parametrize("name, value", [
    ("interests.music", {"items": [{"name": "jazz", "sentiment": "adore"}]}),
    ("greeting", {"first_name": "Robin", "last_name": "Doe"}),  # no surname, ever
    ("people.Sam Smith", {"relationship": "friend"}),  # a ref, not a name
    ("location.street", {"city": "Lisbon"}),
    ("occasions.upcoming", {"items": [{"for": "sam", "kind": "birthday"}]}),
    ("purchases", {"items": [{"name": "jazz", "sentiment": "love"}]}),  # the name decides
])
def test_a_slice_that_does_not_match_its_name_is_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError):
        ProfilePut.model_validate(profile_body({name: value}))


def test_slice_families_cover_the_design_names() -> None:
    for name in ("greeting", "interests.music", "interests.films", "interests.books",
                 "location.city", "purchases", "people.sam", "occasions.upcoming"):
        assert slice_model(name)
        assert slice_accepted(name, list(SLICE_FAMILIES))
    assert not slice_accepted("people.sam", ["greeting", "interests.*"])


def test_unmet_terms_names_every_shortfall() -> None:
    assert unmet_terms(TERMS, RequiredTerms(max_retention_days=90,
                                            allowed_purposes=["recommendations", "offers"])) == []
    selling = TERMS.model_copy(update={"resale": True, "third_party_sharing": True})
    reasons = unmet_terms(selling, RequiredTerms(max_retention_days=30,
                                                 allowed_purposes=["recommendations"]))
    assert len(reasons) == 4
    assert "offers" in reasons[1]
    assert terms_under_gpc(selling).resale is False
    assert terms_under_gpc(selling).third_party_sharing is False


def test_wire_models_import_with_pydantic_alone() -> None:
    code = (
        "import sys, json, profilekeeper.sync, profilekeeper.sync.protocol;"
        "print(json.dumps(sorted(m for m in ('textual', 'fastapi', 'sqlalchemy', 'sqlmodel',"
        " 'httpx', 'profilekeeper.store', 'cryptography') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == []


def test_no_sync_module_imports_textual() -> None:
    code = (
        "import sys, profilekeeper.sync.server, profilekeeper.sync.conformance,"
        " profilekeeper.sync.recommender, profilekeeper.cli.retailer;"
        "print('textual' in sys.modules, 'profilekeeper.store.vault' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
