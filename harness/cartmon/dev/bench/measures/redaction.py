"""The redactor on hostile inputs: 200 KB strings built to make its patterns backtrack, each timed beside
a plain string of the same length, so the ratio says how much worse than linear a shape makes it.

The unit tests check what the redactor returns for these strings; how long it takes is measured here,
where a loaded machine skews both sides of a ratio alike, and no test asserts it."""

from __future__ import annotations

import time
from typing import Any

from cartmon.dev.bench.settings import Settings
from cartmon.dev.bench.stats import percentile

HOSTILE_SHAPES = {
    "200,000 letters then '@'": "a" * 200_000 + "@",
    "200,000 '@'": "@" * 200_000,
    "'1-' 100,000 times": "1-" * 100_000,
    "4,000 fifty-letter words": ("x" * 50 + " ") * 4_000,
}


def _plain_text(length: int) -> str:
    words = "the quick brown fox jumps over the lazy dog "
    return (words * (length // len(words) + 1))[:length]


def _median_seconds(scrub: Any, text: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        scrub(text)
        times.append(time.perf_counter() - started)
    return percentile(times, 50)


def measure_redaction(settings: Settings) -> dict[str, Any]:
    from cart_migration.redaction import scrub_string

    rows = []
    for shape, hostile in HOSTILE_SHAPES.items():
        plain = _plain_text(len(hostile))
        hostile_s = _median_seconds(scrub_string, hostile, settings.redaction_rounds)
        plain_s = _median_seconds(scrub_string, plain, settings.redaction_rounds)
        rows.append(
            {
                "shape": shape,
                "chars": len(hostile),
                "hostile_ms": hostile_s * 1000,
                "plain_ms": plain_s * 1000,
                "vs_plain": hostile_s / plain_s if plain_s else None,
            }
        )
    return {"rounds": settings.redaction_rounds, "shapes": rows}
