"""Visitor profile aggregates, updated incrementally and rebuilt from scratch alike (pure).

What each figure is and how it aggregates is declared once in personalization/figures.py; this module folds
events and sessions into a ProfileState by those declarations. Every figure is order-free except the cart, which
follows cart events in time order: a cart event older than the last one applied asks the caller to recompute the
cart from stored events.
"""

import math
import operator
from collections.abc import Callable
from dataclasses import field, make_dataclass

from ..figures import FIGURES, STATE_FIELDS, Figure, Kind, Source, Storage, figure_columns
from .activity import CART_ADD, CART_REMOVE, PURCHASE, Activity, cents, quantity
from .sessionize import SessionSummary

DEFAULT_HALF_LIFE_MS = 14 * 86_400_000
STORAGE_DEFAULTS = {Storage.TIME: None, Storage.FLOAT: None, Storage.TEXT: ""}


def state_field(name: str, storage: Storage):
    if storage == Storage.JSON:
        return name, dict, field(default_factory=dict)
    return name, object, field(default=STORAGE_DEFAULTS.get(storage, 0))


ProfileState = make_dataclass(
    "ProfileState", [state_field(name, storage) for name, storage, _ in figure_columns()], slots=True)
ProfileState.__doc__ = "A profile's figures (personalization/figures.py), times in milliseconds since 1970."
PROFILE_FIELDS = STATE_FIELDS


def count_into(counts: dict, key: str, n: int) -> None:
    if key:
        total = counts.get(key, 0) + n
        if total:
            counts[key] = total
        else:
            counts.pop(key, None)


def log2_add(log_sum: float | None, log_term: float) -> float:
    """log2(2^log_sum + 2^log_term), without leaving the logarithms (the sums themselves overflow)."""
    if log_sum is None:
        return log_term
    high, low = (log_sum, log_term) if log_sum >= log_term else (log_term, log_sum)
    return high + math.log2(1.0 + 2.0 ** (low - high))


def decayed_count(log_sum: float | None, *, now_ms: int, half_life_ms: int) -> float:
    """What a DECAYED figure is worth at `now_ms`: each counted event weighs 2^-(age / half-life)."""
    return 0.0 if log_sum is None else 2.0 ** (log_sum - now_ms / half_life_ms)


def event_fold(figure: Figure) -> Callable:
    """The figure's kind as one small function fold(state, activity, goals, half_life_ms) that folds one event's
    contribution into `state` (built once per figure: the storing path calls it about ten times per event)."""
    name, of, at, kind = figure.name, figure.of, figure.at, figure.kind
    if kind == Kind.SUM:
        def fold(state, activity, goals, half_life_ms):
            value = of(activity, goals)
            if value:
                setattr(state, name, getattr(state, name) + value)
    elif kind == Kind.COUNTER:
        def fold(state, activity, goals, half_life_ms):
            count_into(getattr(state, name), of(activity, goals), 1)
    elif kind in (Kind.MIN, Kind.MAX):
        wins = operator.lt if kind == Kind.MIN else operator.gt

        def fold(state, activity, goals, half_life_ms):
            value, current = of(activity, goals), getattr(state, name)
            if current is None or wins(value, current):
                setattr(state, name, value)
    elif kind == Kind.LATEST:
        def fold(state, activity, goals, half_life_ms):
            value = of(activity, goals)
            if value:
                ts, last = activity.ts_ms, getattr(state, at)
                if last is None or (ts, value) > (last, getattr(state, name)):
                    setattr(state, name, value)
                    setattr(state, at, ts)
    elif kind == Kind.DECAYED:
        def fold(state, activity, goals, half_life_ms):
            value = of(activity, goals)
            if value:
                term = activity.ts_ms / half_life_ms + math.log2(value)
                setattr(state, name, log2_add(getattr(state, name), term))
    else:
        raise ValueError(f"{figure.name}: an event figure cannot be of kind {kind.name}; declare it on sessions.")
    return fold


EVENT_FIGURES = tuple(f for f in FIGURES if f.source == Source.EVENT and f.of)
_EVENT_FOLDS = {figure.name: event_fold(figure) for figure in EVENT_FIGURES}
_folds_by_type: dict[str, tuple[Callable, ...]] = {}


def event_folds(event_type: str) -> tuple[Callable, ...]:
    """The folds of the event figures an event of this type can change (declared for its type, or every type)."""
    found = _folds_by_type.get(event_type)
    if found is None:
        found = _folds_by_type[event_type] = tuple(
            _EVENT_FOLDS[f.name] for f in EVENT_FIGURES if not f.types or event_type in f.types)
    return found


def profile_add_activities(state, activities: list[Activity], goals: frozenset[str], *,
                           half_life_ms: int = DEFAULT_HALF_LIFE_MS) -> bool:
    """Add newly stored events (sorted by time) to `state`; False when the cart must be recomputed."""
    cart_in_order = True
    for activity in activities:
        for fold in event_folds(activity.type):
            fold(state, activity, goals, half_life_ms)
        if activity.is_cart_event:
            if state.cart_updated_at is not None and activity.ts_ms <= state.cart_updated_at:
                cart_in_order = False
            else:
                cart_apply(state, activity)
    return cart_in_order


def cart_apply(state, activity: Activity) -> None:
    """One cart event, applied after every earlier one."""
    props = activity.props
    if activity.name == PURCHASE:
        state.cart_items, state.cart_value_cents, state.last_purchase_at = 0, 0, activity.ts_ms
    else:
        sign = 1 if activity.name == CART_ADD else -1 if activity.name == CART_REMOVE else 0
        n = quantity(props)
        state.cart_items = max(0, state.cart_items + sign * n)
        state.cart_value_cents = max(0, state.cart_value_cents + sign * n * cents(props.get("price", 0)))
        if state.cart_items == 0:
            state.cart_value_cents = 0
    state.cart_updated_at = activity.ts_ms


def cart_recompute(state, cart_activities: list[Activity]) -> None:
    """Set the cart from all of a profile's cart events, whatever order they arrived in."""
    state.cart_items = state.cart_value_cents = 0
    state.last_purchase_at = state.cart_updated_at = None
    for activity in sorted(cart_activities, key=lambda a: (a.ts_ms, a.event_id)):
        cart_apply(state, activity)


def cart_items_at(cart_activities: list[Activity], until_ms: int) -> int:
    """How many items the cart held just after `until_ms`, from a person's cart events (any order)."""
    state = ProfileState()
    cart_recompute(state, [activity for activity in cart_activities if activity.ts_ms <= until_ms])
    return state.cart_items


SESSION_FIGURES = tuple(f for f in FIGURES if f.source == Source.SESSION)
NO_GOALS: frozenset[str] = frozenset()


def profile_add_sessions(state, *, before: list[SessionSummary], after: list[SessionSummary]) -> None:
    """Replace the contribution of sessions `before` with that of sessions `after`. Sums and counts are replaced;
    a maximum or a first session's value never goes back as sessions merge (only erasure lowers them)."""
    for figure in SESSION_FIGURES:
        name, kind = figure.name, figure.kind
        if kind == Kind.SUM:
            change = sum(figure.of(s, NO_GOALS) for s in after) - sum(figure.of(s, NO_GOALS) for s in before)
            if change:
                setattr(state, name, getattr(state, name) + change)
        elif kind == Kind.COUNTER:
            counts = getattr(state, name)
            for sign, summaries in ((-1, before), (1, after)):
                for summary in summaries:
                    for key, n in figure.of(summary, NO_GOALS):
                        count_into(counts, key, sign * n)
        elif kind == Kind.MAX:
            setattr(state, name, max([getattr(state, name)] + [figure.of(s, NO_GOALS) for s in after]))
        elif kind == Kind.FIRST:
            for summary in after:
                value = figure.of(summary, NO_GOALS)
                at = getattr(state, figure.at)
                if value and (at is None or (summary.entry[0], value) < (at, getattr(state, name))):
                    setattr(state, name, value)
                    setattr(state, figure.at, summary.entry[0])


def profile_merge(into, other) -> None:
    """Fold another person's profile into `into` (identity stitching). The cart is left to a recompute."""
    for figure in FIGURES:
        name, kind = figure.name, figure.kind
        mine, theirs = getattr(into, name), getattr(other, name)
        if kind == Kind.SUM:
            setattr(into, name, mine + theirs)
        elif kind == Kind.COUNTER:
            for key, n in theirs.items():
                count_into(mine, key, n)
        elif kind in (Kind.MIN, Kind.MAX):
            present = [value for value in (mine, theirs) if value is not None]
            setattr(into, name, (min if kind == Kind.MIN else max)(present) if present else None)
        elif kind == Kind.DECAYED and theirs is not None:
            setattr(into, name, log2_add(mine, theirs))
        elif kind in (Kind.LATEST, Kind.FIRST) and getattr(other, figure.at) is not None:
            pick = max if kind == Kind.LATEST else min
            at = getattr(into, figure.at)
            ours = (at, mine) if at is not None else None
            chosen = pick(part for part in (ours, (getattr(other, figure.at), theirs)) if part)
            setattr(into, figure.at, chosen[0])
            setattr(into, name, chosen[1])


def profile_from_scratch(activities: list[Activity], sessions: list[SessionSummary], goals: frozenset[str], *,
                         half_life_ms: int = DEFAULT_HALF_LIFE_MS):
    """A profile computed from all of a person's events and sessions."""
    state = ProfileState()
    ordered = sorted(activities, key=lambda a: (a.ts_ms, a.event_id))
    profile_add_activities(state, ordered, goals, half_life_ms=half_life_ms)
    cart_recompute(state, [activity for activity in ordered if activity.is_cart_event])
    profile_add_sessions(state, before=[], after=sessions)
    return state
