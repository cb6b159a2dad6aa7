"""Which arm of a rule a visitor sees: a stable hash puts each visitor at one place in [0, 1); the first
control_share of places is the control group, the rest is split among the arms in proportion to their weights (a
fixed split's weights, or a bandit's current allocation). Pure and dependency-free: it runs on every decision."""

from bisect import bisect_right
from collections.abc import Sequence
from hashlib import blake2b
from itertools import accumulate

CONTROL_SHARE = 0.1  # held back by default: a rule's lift over doing nothing is always known


def bucket(*, visitor_id: str, salt: str) -> float:
    """Return the visitor's stable place in [0, 1) for this salt (an experiment's own salt gives it its own shuffle)."""
    digest = blake2b(f"{salt}\x1f{visitor_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split_check(*, weights: Sequence[float], control_share: float) -> None:
    """Raise ValueError, saying what to change, unless the split can be used."""
    if not 0 <= control_share < 1:
        raise ValueError(f"The control share must be at least 0 and below 1, not {control_share}; 0.1 holds back 10%.")
    if not weights or any(weight < 0 for weight in weights) or sum(weights) <= 0:
        raise ValueError(f"Give each variant a weight of 0 or more, at least one above 0 (got {list(weights)}).")


def split_edges(weights: Sequence[float]) -> tuple[float, ...]:
    """The cumulative shares of `weights` (the last is 1): where each arm's places end, after the control group."""
    total = sum(weights)
    return tuple(edge / total for edge in accumulate(weights))


def arm_index(place: float, *, control_share: float, edges: Sequence[float]) -> int | None:
    """The arm at `place` (a bucket), or None in the control group (the first control_share of places)."""
    if place < control_share:
        return None
    # Rescaling the same place (rather than hashing again) keeps an arm's visitors when only the control share moves,
    # and a bandit's small change of allocation moves only the visitors near an edge.
    within = (place - control_share) / (1 - control_share)
    return min(bisect_right(edges, within), len(edges) - 1)


def assign_fixed(
    *, visitor_id: str, salt: str, weights: Sequence[float], control_share: float = CONTROL_SHARE
) -> int | None:
    """Return the arm index for the visitor, or None when the visitor is in the control group (the first
    control_share of places); the rest is split among the arms in proportion to `weights`."""
    split_check(weights=weights, control_share=control_share)
    return arm_index(bucket(visitor_id=visitor_id, salt=salt), control_share=control_share,
                     edges=split_edges(weights))
