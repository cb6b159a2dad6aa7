"""How long after navigation a swapped slot showed its content (the tracker's swap_ms), kept as a small histogram
per rule and day so percentiles can be read without the events. Pure: lists in, numbers out."""

from bisect import bisect_right
from collections.abc import Iterable, Sequence

EDGES_MS = (50, 100, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 10_000)  # bucket i holds [EDGES[i-1], EDGES[i])
SWAP_MS_MAX = 600_000  # longer is a page left open, not a swap


def histogram_add(histogram: Sequence[int] | None, values: Iterable[float]) -> list[int]:
    """`histogram` (empty or None for none yet) with `values` counted in."""
    counts = list(histogram or ()) or [0] * (len(EDGES_MS) + 1)
    for value in values:
        counts[bisect_right(EDGES_MS, value)] += 1
    return counts


def histogram_merge(histograms: Iterable[Sequence[int] | None]) -> list[int]:
    total = [0] * (len(EDGES_MS) + 1)
    for histogram in histograms:
        for index, count in enumerate(histogram or ()):
            total[index] += count
    return total


def histogram_percentile(histogram: Sequence[int], share: float) -> float | None:
    """The value below which `share` of the counts fall, interpolated within its bucket; None when empty. The last
    bucket has no upper edge: its values read as its lower edge."""
    total = sum(histogram)
    if not total:
        return None
    wanted, seen = share * total, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= wanted:
            low = EDGES_MS[index - 1] if index else 0
            if index == len(EDGES_MS):
                return float(low)
            return low + (EDGES_MS[index] - low) * (wanted - seen) / count
        seen += count
    return float(EDGES_MS[-1])
