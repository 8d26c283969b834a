"""Hypothesis fuzzing: random text and mutated valid laws raise nothing but ``LawError``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import laws

REFERENCE_TEXT = laws.pretty(laws.reference_set())
PIECES = ["law", "when", "then", "for", "each", "with", "probability", "one", "of", "(", ")", "{", "}",
          ":", ";", "|", ",", ".", "==", "=", "+=", "-=", "and", "or", "not", "in", "move", "remove",
          "add", "player", "facing", "c", "cow", "tree", "left", "1", "0.5", "beta", "dirichlet", "~",
          "tile", "dist", "count", "^", "-", "*", "/", "%", "\n", " "]


def _parse(text: str) -> None:
    try:
        laws.parse(text)
    except laws.LawError as err:
        assert err.line is None or err.line >= 1
        str(err)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _parse(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_random_token_soup(tokens: list[str]) -> None:
    _parse(" ".join(tokens))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(REFERENCE_TEXT) - 1), st.integers(0, 40), st.text(max_size=8))
def test_mutated_reference_laws(start: int, length: int, insert: str) -> None:
    chunk_start = REFERENCE_TEXT.rfind("\nlaw ", 0, start) + 1
    chunk_end = REFERENCE_TEXT.find("\nlaw ", start)
    chunk = REFERENCE_TEXT[chunk_start: chunk_end if chunk_end > 0 else None]
    walkable = REFERENCE_TEXT.split("\n\n", 1)[0]
    offset = start - chunk_start
    mutated = chunk[:offset] + insert + chunk[offset + length:]
    _parse(walkable + "\n" + mutated)
