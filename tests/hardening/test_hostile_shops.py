"""Hostile shops (#18 §4): generated answers for every route through the real client, the sync
service, the suggestion pipeline and the screens' own rendering of shop text.

CI runs ``PROFILEKEEPER_HOSTILE_EXAMPLES`` examples (200 by default, each several answers);
``benchmarks/guarantee_hostile.py`` runs 10,000 and records the figures.
"""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections.abc import Iterator

import pytest
from rich.text import Text

from profilekeeper.sync.sanitize import clean_text
from tests.hardening.hostile_answers import Answer, Scenario
from tests.hardening.hostile_run import Harness, run_examples, unsafe_on_screen

EXAMPLES = int(os.environ.get("PROFILEKEEPER_HOSTILE_EXAMPLES", "200"))
PEAK_MIB = 32
"""At most what one example may allocate (a 2 MiB answer, parsed, sealed and shown)."""
KEPT_GROWTH_MIB = 8
"""At most what the second half of the run may keep beyond the first."""
"""The most the run may hold at once (tracemalloc's peak): the client's 2 MiB cap on an
answer, a few copies of it while it is parsed, and the run's own state."""


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    made = Harness(tmp_path_factory.mktemp("hostile"))
    yield made
    made.close()


def test_the_screen_check_catches_escapes_controls_links_and_actions() -> None:
    assert unsafe_on_screen(Text("[red]markup[/] and [@click=app.quit]x[/] shown as written")) == []
    assert unsafe_on_screen(Text("a\x1b[2Jb"))
    assert unsafe_on_screen(Text("a\x9b6n"))
    assert unsafe_on_screen(Text("right\u202eto left"))
    assert unsafe_on_screen(Text("x", style="link https://evil.example/"))
    assert unsafe_on_screen(Text.from_markup("[@click=app.quit]quit[/]"))


def test_hostile_answers_never_crash_and_never_reach_the_screen(harness: Harness) -> None:
    # Bounded memory, measured so that the process's other garbage cannot move it: what one
    # example allocates above what was there when it began, and what the run keeps (after a
    # full collection) from its first half to its end.
    rises: list[int] = []
    one_example = harness.run

    def measured(scenario: Scenario) -> None:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        one_example(scenario)
        rises.append(tracemalloc.get_traced_memory()[1] - before)

    harness.run = measured  # type: ignore[method-assign]
    tracemalloc.start()
    try:
        run_examples(harness, EXAMPLES // 2)
        gc.collect()
        kept_halfway = tracemalloc.get_traced_memory()[0]
        run_examples(harness, EXAMPLES - EXAMPLES // 2, first_seed=1)
        gc.collect()
        kept_at_end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        harness.run = one_example  # type: ignore[method-assign]
    tally = harness.tally
    assert tally.crashes == []
    assert tally.examples == EXAMPLES
    assert tally.responses >= 2 * EXAMPLES  # every example serves a discovery and a PUT at least
    assert max(rises) < PEAK_MIB * 2**20
    assert kept_at_end - kept_halfway < KEPT_GROWTH_MIB * 2**20
    outcomes = {key.split(":")[0].split("/")[1] for key in tally.failures_by_reason}
    assert outcomes >= {"refused", "invalid", "too_large"}, tally.failures_by_reason
    assert harness.stored_suggestions() <= 4 * 200  # one fetch's worth, never the run's


def test_lone_surrogates_are_cleaned_out_of_shop_text() -> None:
    # JSON may say "\udfff": Python reads it as a lone surrogate, which UTF-8 cannot hold, so
    # a reason quoting it could not be sealed into the vault.
    assert clean_text("a\ud800b\udfffc", limit=10) == "abc"


def test_a_refusal_quoting_a_lone_surrogate_is_recorded(harness: Harness) -> None:
    problem = json.dumps({"type": "urn:x:\udfff", "detail": "no\ud800", "unmet": ["\ud800"]})
    refused = Answer(503, problem.encode(), "application/problem+json")
    page = Answer(200, b'{"items": [], "next_cursor": null}')
    before = len(harness.tally.crashes)
    harness.run(Scenario(discovery=[refused], link=[refused], put=[Answer(200, b"{}")],
                         get=[refused], pages=[refused, refused, refused, page]))
    assert harness.tally.crashes[before:] == []
