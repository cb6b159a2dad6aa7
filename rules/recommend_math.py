"""Recommendation maths, pure (no ORM): sessions cut from time-ordered page views, co-visitation and next-page
counts, their normalisation, and top-N lists with fallbacks. rules/neighbours.py feeds it events and stores what
it finds; rules/recommendations.py ranks the stored lists for a visitor."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from math import sqrt

SESSION_GAP_MS = 30 * 60 * 1000  # DESIGN.md: 30 minutes of inactivity ends a session
TYPE_PREFIX = "type:"  # the state of a page that is no item: "type:home", "type:cart"
MAX_ITEMS_PER_SESSION = 50  # a crawler-like session would add n² pairs; its first 50 items say enough
NEXT_WEIGHT = 0.5  # how much "opened next" counts against "viewed in the same session"


def is_item(state: str) -> bool:
    return not state.startswith(TYPE_PREFIX)


@dataclass(frozen=True)
class View:
    """One page view: who, when (milliseconds), and the page's state (an item key or TYPE_PREFIX + page type)."""

    visitor: str
    ts_ms: int
    state: str


class SessionSplitter:
    """Page views in time order in, finished sessions (ordered state lists) out; it holds only open sessions."""

    def __init__(self, gap_ms: int = SESSION_GAP_MS) -> None:
        self.gap_ms = gap_ms
        self.open: dict[str, tuple[int, list[str]]] = {}

    def add(self, views: list[View]) -> list[list[str]]:
        """Take views later than any taken before; return the sessions they (or the time passing) finished."""
        finished = []
        for view in views:
            last = self.open.get(view.visitor)
            if last is not None and view.ts_ms - last[0] > self.gap_ms:
                finished.append(last[1])
                last = None
            states = last[1] if last else []
            states.append(view.state)
            self.open[view.visitor] = (view.ts_ms, states)
        if views:
            finished.extend(self.close_before(views[-1].ts_ms - self.gap_ms))
        return finished

    def close_before(self, ts_ms: int) -> list[list[str]]:
        """The open sessions whose last view is before `ts_ms`, closed."""
        done = [visitor for visitor, (last, _) in self.open.items() if last < ts_ms]
        return [self.open.pop(visitor)[1] for visitor in done]

    def finish(self) -> list[list[str]]:
        """Every session still open, closed."""
        finished = [states for _, states in self.open.values()]
        self.open.clear()
        return finished


@dataclass
class Tallies:
    """Counts over sessions: in how many each item was viewed, each pair viewed together, each step taken."""

    sessions_with: Counter = field(default_factory=Counter)
    together: Counter = field(default_factory=Counter)  # (a, b) with a < b
    steps: defaultdict = field(default_factory=lambda: defaultdict(Counter))  # state -> next state -> times

    def add_session(self, states: list[str]) -> None:
        items = list(dict.fromkeys(state for state in states if is_item(state)))[:MAX_ITEMS_PER_SESSION]
        self.sessions_with.update(items)
        for i, first in enumerate(items):
            for second in items[i + 1:]:
                self.together[(first, second) if first < second else (second, first)] += 1
        for here, there in pairwise(states):
            if here != there:  # a reload or a re-sorted list is no step
                self.steps[here][there] += 1

    def add_sessions(self, sessions: Iterable[list[str]]) -> None:
        for states in sessions:
            self.add_session(states)


def top(scores: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The `n` best (key, score) pairs, best first, ties by key for a stable order."""
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:n]


def related_items(tallies: Tallies, *, n: int = 20, min_together: int = 1) -> dict[str, list[tuple[str, float]]]:
    """Per item, the items viewed in the same sessions, scored by cosine: together / sqrt(sessions of each), so an
    item everybody views does not become everybody's neighbour."""
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    for (first, second), count in tallies.together.items():
        if count < min_together:
            continue
        score = count / sqrt(tallies.sessions_with[first] * tallies.sessions_with[second])
        scores[first][second] = score
        scores[second][first] = score
    return {item: top(others, n) for item, others in scores.items()}


def next_items(tallies: Tallies, *, n: int = 20) -> dict[str, list[tuple[str, float]]]:
    """Per state (item or page type), the items opened right after it with their first-order Markov probability
    (steps to that item / all steps out of the state)."""
    found = {}
    for here, onward in tallies.steps.items():
        total = sum(onward.values())
        items = {there: count / total for there, count in onward.items() if is_item(there)}
        if items:
            found[here] = top(items, n)
    return found


def ranked(*, related: list[tuple[str, float]], following: list[tuple[str, float]], affinity: dict[str, float],
           category_of: dict[str, str], popular: list[str], exclude: set[str], limit: int) -> list[str]:
    """Up to `limit` item keys: the co-visited and next-opened items (their scores added, next-page ones weighted
    by NEXT_WEIGHT), each raised by the visitor's affinity to its category; then `popular` ones to fill up;
    never those in `exclude`."""
    scores: dict[str, float] = defaultdict(float)
    for key, score in related:
        scores[key] += score
    for key, probability in following:
        scores[key] += NEXT_WEIGHT * probability
    for key in scores:
        scores[key] *= 1 + affinity.get(category_of.get(key, ""), 0.0)
    chosen = [key for key, _ in top(scores, len(scores)) if key not in exclude]
    chosen += [key for key in popular if key not in exclude and key not in scores]
    return list(dict.fromkeys(chosen))[:limit]


def diversified(chosen: list[str], *, candidates: list[str], category_of: dict[str, str], favourite: str,
                exclude: set[str], limit: int) -> list[str]:
    """`chosen` with its last place (a free one when it is short) given to the first candidate outside the
    `favourite` category and not chosen or excluded already: exploration, so that a visitor is not shown only more
    of the same, and learns (and teaches the site) what else they like. Unchanged when no candidate qualifies."""
    pick = next((key for key in candidates if key not in chosen and key not in exclude
                 and category_of.get(key, "") != favourite), None)
    if pick is None or limit < 1:
        return chosen
    return (chosen[: limit - 1] if len(chosen) >= limit else chosen) + [pick]


def concentration(keys: Iterable[str], category_of: dict[str, str]) -> float | None:
    """How concentrated a list is on few categories: the Herfindahl index of its items' categories, 1 when all share
    one, 1/n when n items all differ; None for an empty list."""
    counts = Counter(category_of.get(key, "") for key in keys)
    total = sum(counts.values())
    return sum((n / total) ** 2 for n in counts.values()) if total else None
