"""What the benchmark scripts share: interleaved timing, best round."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def measure(
    contenders: dict[str, Callable[[], object]], rounds: int, number: int
) -> dict[str, float]:
    """Return each contender's best time per call, in microseconds.

    Every round runs each contender in turn, so a machine that slows down
    for a while slows all of them, and the best round of each is kept.
    """
    best = dict.fromkeys(contenders, float("inf"))
    # As timeit does: a collection landing in one contender's turn would
    # charge it for garbage the others made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name, call in contenders.items():
                start = time.perf_counter()
                for _ in range(number):
                    call()
                elapsed = (time.perf_counter() - start) / number * 1e6
                best[name] = min(best[name], elapsed)
    finally:
        if collecting:
            gc.enable()
    return best
