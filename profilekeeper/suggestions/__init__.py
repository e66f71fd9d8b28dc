"""Suggestions filtered and ranked on the shopper's machine, by the shopper's own rules.

Plain functions over model records (no Textual, no HTTP, no vault), run at read time over the
stored suggestions, so a new "never" or rule takes effect at once and offline:

    sanitize   stored text made plain again; unfit items dropped and counted (sanitize.py)
    dedupe     one entry per item, every shop that offered it remembered (dedupe.py)
    filters    hidden, each with its reason: never-interests and rules (lens.py), verdicts,
               past events and offers, other cities, already had, over budget (filters.py)
    score      interests (love > like, dislike pulls down, learned weights), rules that
               boost or bury, a person's next occasion (pipeline.py)
    explain    why each shown item is shown, in the shopper's terms (explain.py)

``context.build`` prepares what the pipeline reads; ``pipeline.run`` runs it.
"""

from __future__ import annotations

from profilekeeper.suggestions.context import Context, build
from profilekeeper.suggestions.pipeline import Ranked, Result, run

__all__ = ["Context", "Ranked", "Result", "build", "run"]
