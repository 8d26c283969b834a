"""Law-language speed: parse time per law, and the full Z3 check of a 200-law set (target < 5 s).

Run: python benchmarks/law_language.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Run as a script from anywhere: the repository root holds the packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import laws
from laws.printer import pretty


def two_hundred_laws() -> str:
    """The reference set's laws, renamed into copies, up to 200 laws (a realistic mix, no clashes)."""
    ref = laws.reference_set()
    walkable = "\n".join(pretty(w) for w in ref.walkable)
    chunks = []
    copy = 0
    while len(chunks) < 200:
        for law in ref.laws:
            if len(chunks) == 200:
                break
            text = pretty(law).replace(f"law {law.name}", f"law {law.name}_{copy}", 1)
            chunks.append(text)
        copy += 1
    return walkable + "\n\n" + "\n".join(chunks)


def main() -> None:
    text = two_hundred_laws()
    laws.parse(text)  # warm the parser
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        law_set = laws.parse(text)
    parse_s = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    findings = laws.check(law_set)
    check_s = time.perf_counter() - start
    compiled = laws.compile(laws.reference_set())
    from laws.audit import random_play
    data = list(random_play(1000, seed=0))
    start = time.perf_counter()
    for obs, action, _ in data:
        laws.combine(compiled.predict(obs, action), obs)
    eval_ms = (time.perf_counter() - start) / len(data) * 1000
    print(f"laws: {len(law_set.laws)}")
    per_law = parse_s / len(law_set.laws) * 1e3
    print(f"parse: {parse_s * 1000:.1f} ms for {len(law_set.laws)} laws = {per_law:.3f} ms/law")
    print(f"check: {check_s:.2f} s for {len(law_set.laws)} laws, {findings.questions} Z3 questions, "
          f"{len(findings.errors)} errors (target < 5 s: {'ok' if check_s < 5 else 'MISSED'}; "
          f"ratio {check_s / 5:.2f} of target)")
    print(f"evaluate: {eval_ms:.3f} ms per transition (reference set, {len(compiled.laws)} laws, predict + combine)")


if __name__ == "__main__":
    main()
