"""Navigation paths (pure): a visitor's page views and actions cut into sessions, the top paths, the transition
matrix between page types, and funnels that editors define, counted per segment (or per day)."""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

ENTRY, EXIT = "(entry)", "(exit)"
NO_TYPE = "(no page type)"
ALL = "all"  # the segment key that counts every visitor
ARROW = " → "
PATH_STEPS = 4  # page views of a session shown in its path; longer ones end in "…"
MAX_FUNNEL_STEPS = 10
STEP_KINDS = ("page_type", "path", "event")
KEEP_PATHS = 20_000  # distinct page-address paths kept while counting; the rarest are dropped beyond twice this


@dataclass(frozen=True, slots=True)
class Hit:
    """A page view (its path and page type) or an action (`name`: the event's name, or its type without one)."""

    ts_ms: int
    path: str = ""
    page_type: str = ""
    name: str = ""
    page_view_id: str = ""

    @property
    def is_page(self) -> bool:
        return not self.name


def sessions_split(hits: Sequence[Hit], *, gap_ms: int) -> list[list[Hit]]:
    """A visitor's hits, in time order, cut wherever more than gap_ms pass without one."""
    sessions: list[list[Hit]] = []
    for hit in hits:
        if not sessions or hit.ts_ms - sessions[-1][-1].ts_ms > gap_ms:
            sessions.append([])
        sessions[-1].append(hit)
    return sessions


def path_text(steps: Sequence[str], *, limit: int = PATH_STEPS) -> str:
    """Steps joined by arrows, the first `limit` of them, "…" marking the rest."""
    return ARROW.join(steps[:limit]) + (ARROW + "…" if len(steps) > limit else "")


class PathCounter:
    """Sessions' paths (by page type and by address) and page-type transitions, added one session at a time."""

    def __init__(self) -> None:
        self.sessions = 0
        self.by_type: Counter[str] = Counter()
        self.by_page: Counter[str] = Counter()
        self.transitions: Counter[tuple[str, str]] = Counter()

    def add(self, session: Sequence[Hit]) -> None:
        pages = [hit for hit in session if hit.is_page]
        if not pages:
            return
        self.sessions += 1
        types = [hit.page_type or NO_TYPE for hit in pages]
        self.by_type[path_text(types)] += 1
        self.by_page[path_text([hit.path for hit in pages])] += 1
        if len(self.by_page) > 2 * KEEP_PATHS:  # a long tail of one-off paths: keep memory bounded
            self.by_page = Counter(dict(self.by_page.most_common(KEEP_PATHS)))
        for before, after in zip([ENTRY, *types], [*types, EXIT], strict=True):
            self.transitions[before, after] += 1

    def top(self, *, limit: int = 20) -> dict[str, list[dict]]:
        """The most common paths by page type and by address, with their share of sessions."""
        total = max(self.sessions, 1)
        return {name: [{"path": path, "sessions": n, "share": n / total} for path, n in counter.most_common(limit)]
                for name, counter in (("page_types", self.by_type), ("pages", self.by_page))}

    def matrix(self) -> dict[str, list]:
        """Transitions between page types: rows are where visitors were (entry first), columns where they went next
        (exit last), with counts and each row's shares."""
        volume: Counter[str] = Counter()
        for (before, after), n in self.transitions.items():
            volume[before] += n
            volume[after] += n
        types = sorted((t for t in volume if t not in (ENTRY, EXIT)), key=lambda t: (-volume[t], t))
        rows, columns = [ENTRY, *types], [*types, EXIT]
        counts = [[self.transitions[row, column] for column in columns] for row in rows]
        shares = [[n / sum(line) if sum(line) else 0.0 for n in line] for line in counts]
        return {"rows": rows, "columns": columns, "counts": counts, "shares": shares}


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One step of a funnel: a page view of a page type, a page view of an address (a trailing * matches every
    address starting so), or an action by name."""

    label: str
    page_type: str = ""
    path: str = ""
    event: str = ""

    def matches(self, hit: Hit) -> bool:
        if self.event:
            return hit.name == self.event
        if not hit.is_page:
            return False
        if self.page_type:
            return hit.page_type == self.page_type
        return fnmatchcase(hit.path, self.path) if self.path.endswith("*") else hit.path == self.path


def funnel_step_read(number: int, item: object) -> FunnelStep:
    """One editor-written step; raises ValueError naming the step and how to write it."""
    example = 'for example {"label": "Cart", "page_type": "cart"}'
    if not isinstance(item, Mapping):
        raise ValueError(f"Step {number} must be an object with a label and what counts as the step, {example}.")
    label = item.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise ValueError(f"Step {number} needs a label of 1 to 100 characters, {example}.")
    kinds = [kind for kind in STEP_KINDS if kind in item]
    unknown = sorted(set(item) - {"label", *STEP_KINDS})
    if unknown:
        raise ValueError(f"Step {number} ('{label}'): unknown key {unknown[0]!r}; use page_type, path or event.")
    if len(kinds) != 1:
        raise ValueError(f"Step {number} ('{label}') needs exactly one of page_type, path or event, {example}.")
    value = item[kinds[0]]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Step {number} ('{label}'): {kinds[0]} must be some text, such as 'product'.")
    if kinds[0] == "path" and not value.startswith("/"):
        raise ValueError(f"Step {number} ('{label}'): a path starts with /, such as /shop/cart/ or /product/*.")
    return FunnelStep(label=label.strip(), **{kinds[0]: value.strip()})


def funnel_steps_read(data: object) -> tuple[FunnelStep, ...]:
    """Editor-written steps as FunnelSteps; raises ValueError saying which step is wrong and how to write it."""
    if not isinstance(data, list) or not 2 <= len(data) <= MAX_FUNNEL_STEPS:
        raise ValueError(f"A funnel is a list of 2 to {MAX_FUNNEL_STEPS} steps, such as "
                         '[{"label": "Product", "page_type": "product"}, {"label": "Purchase", "event": "purchase"}].')
    steps = tuple(funnel_step_read(number, item) for number, item in enumerate(data, start=1))
    labels = [step.label for step in steps]
    if len(set(labels)) != len(labels):
        raise ValueError("Give each step its own label: findings and charts name steps by it.")
    return steps


def funnel_reach(steps: Sequence[FunnelStep], session: Iterable[Hit]) -> int:
    """How many steps the session went through in order: a step counts only after the one before it."""
    reached = 0
    for hit in session:
        if reached < len(steps) and steps[reached].matches(hit):
            reached += 1
    return reached


class FunnelCounts:
    """Sessions that reached each step of one funnel, kept per key: a segment (ALL for everyone) or a day."""

    def __init__(self, steps: Sequence[FunnelStep]) -> None:
        self.steps = tuple(steps)
        self.reached: dict[Hashable, list[int]] = {}

    def add(self, session: Sequence[Hit], *, keys: Iterable[Hashable]) -> int:
        """Count one session under each key; returns the steps it reached."""
        reach = funnel_reach(self.steps, session)
        if reach:
            for key in keys:
                line = self.reached.setdefault(key, [0] * len(self.steps))
                for index in range(reach):
                    line[index] += 1
        return reach

    def summary(self, key: Hashable) -> dict[str, list]:
        """Per step: sessions that reached it, and the share of them that left before the next (None for the last)."""
        reached = self.reached.get(key, [0] * len(self.steps))
        dropoff = [1 - reached[i + 1] / reached[i] if reached[i] else None for i in range(len(reached) - 1)]
        return {"reached": list(reached), "dropoff": [*dropoff, None]}

    def step_series(self, keys: Sequence[Hashable]) -> dict[str, list[tuple[int, int]]]:
        """{"Cart → Checkout": [(reached Cart, went on to Checkout) per key in order]}: funnel_dropoffs' input."""
        series = {}
        for index in range(len(self.steps) - 1):
            name = f"{self.steps[index].label}{ARROW}{self.steps[index + 1].label}"
            empty = [0] * len(self.steps)
            series[name] = [(self.reached.get(key, empty)[index], self.reached.get(key, empty)[index + 1])
                            for key in keys]
        return series
