"""Engagement (pure): how deep page views are scrolled, where visitors leave, and which sections (content
categories) hold readers unusually long or short, judged by a robust z-score against the other sections."""

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

DEEP_SCROLL = 75  # a page view scrolled this deep (in %) counts as a deep read
SCROLL_MILESTONES = (0, 25, 50, 75, 90, 100)  # the tracker reports these depths; 0 stands for "under 25%"
MAD_TO_SD = 1.4826
RELATIVE_FLOOR = 0.1  # a section within a tenth of the typical dwell is never unusual, however alike the others
Z_FLAG = 3.0
MIN_VIEWS = 20  # sections with fewer page views are shown but not judged
SAMPLE = 20_000  # page views kept per section to take medians from
NO_SECTION = "(no category)"


@dataclass(frozen=True, slots=True)
class PageView:
    """One page view's figures: where it was, how long the visitor was engaged and how deep they scrolled."""

    path: str
    category: str
    engaged_ms: int
    scroll: int


def scroll_milestone(scroll: float) -> int:
    """The deepest tracker milestone a scroll depth (in %) reached."""
    return max(m for m in SCROLL_MILESTONES if m <= max(scroll, 0))


class Sample:
    """Up to `size` values drawn uniformly from all added (reservoir sampling, seeded): medians in bounded memory."""

    def __init__(self, size: int = SAMPLE, *, seed: int = 0) -> None:
        self.size, self.seen, self.values = size, 0, []
        self.rng = random.Random(seed)

    def add(self, value: float) -> None:
        self.seen += 1
        if len(self.values) < self.size:
            self.values.append(value)
        else:
            slot = self.rng.randrange(self.seen)
            if slot < self.size:
                self.values[slot] = value

    def median(self) -> float | None:
        return median(self.values) if self.values else None


def robust_z(values: Sequence[float]) -> list[float]:
    """Each value's distance from the values' median in robust standard deviations (scaled MAD, floored at
    RELATIVE_FLOOR of the median so near-identical values are not news)."""
    if not values:
        return []
    middle = median(values)
    spread = max(MAD_TO_SD * median(abs(v - middle) for v in values), RELATIVE_FLOOR * abs(middle), 1e-9)
    return [(v - middle) / spread for v in values]


class EngagementCounter:
    """Page views and session exits, added one at a time."""

    def __init__(self) -> None:
        self.scroll: Counter[int] = Counter()
        self.views: Counter[str] = Counter()
        self.exits: Counter[str] = Counter()
        self.engaged_ms: Counter[str] = Counter()
        self.scroll_sum: Counter[str] = Counter()
        self.section_dwell: dict[str, Sample] = defaultdict(Sample)
        self.section_scroll: dict[str, Counter[int]] = defaultdict(Counter)

    def add_view(self, view: PageView) -> None:
        milestone = scroll_milestone(view.scroll)
        self.scroll[milestone] += 1
        self.views[view.path] += 1
        self.engaged_ms[view.path] += view.engaged_ms
        self.scroll_sum[view.path] += view.scroll
        section = view.category or NO_SECTION
        self.section_dwell[section].add(view.engaged_ms / 1000)
        self.section_scroll[section][milestone] += 1

    def add_exit(self, path: str) -> None:
        self.exits[path] += 1

    def scroll_distribution(self) -> dict[str, list]:
        total = max(sum(self.scroll.values()), 1)
        counts = [self.scroll[m] for m in SCROLL_MILESTONES]
        return {"milestones": list(SCROLL_MILESTONES), "counts": counts, "shares": [n / total for n in counts]}

    def sections(self, *, min_views: int = MIN_VIEWS, threshold: float = Z_FLAG) -> list[dict]:
        """Per section: page views, median engaged seconds, share read to 75% or more, and "high" or "low" when its
        median dwell is at least `threshold` robust z-scores from the other sections' (only sections with
        min_views page views are judged)."""
        rows = []
        for section, sample in sorted(self.section_dwell.items()):
            scrolls = self.section_scroll[section]
            deep = sum(n for m, n in scrolls.items() if m >= DEEP_SCROLL)
            rows.append({"section": section, "views": sample.seen, "median_seconds": sample.median(),
                         "deep_share": deep / sample.seen if sample.seen else 0.0, "z": None, "flag": ""})
        judged = [row for row in rows if row["views"] >= min_views]
        if len(judged) >= 3:
            for row, z in zip(judged, robust_z([row["median_seconds"] for row in judged]), strict=True):
                row["z"] = z
                row["flag"] = "high" if z >= threshold else "low" if z <= -threshold else ""
        return rows

    def pages(self, *, limit: int = 20) -> list[dict]:
        """The most viewed pages with their mean engaged seconds, mean scroll depth, exits and exit rate."""
        return [{"path": path, "views": n, "mean_seconds": self.engaged_ms[path] / n / 1000,
                 "mean_scroll": self.scroll_sum[path] / n, "exits": self.exits[path], "exit_rate": self.exits[path] / n}
                for path, n in self.views.most_common(limit)]

    def exit_pages(self, *, limit: int = 20) -> list[dict]:
        """Where sessions ended most often, with the share of the page's views that were a session's last."""
        return [{"path": path, "exits": n, "views": self.views[path],
                 "exit_rate": n / self.views[path] if self.views[path] else None}
                for path, n in self.exits.most_common(limit)]

    def result(self) -> dict:
        return {"scroll": self.scroll_distribution(), "sections": self.sections(), "pages": self.pages(),
                "exits": self.exit_pages()}


def session_page_figures(figures: Sequence) -> tuple[int, int, str]:
    """(engaged ms, scroll %, category) of one entry of Session.pages: [highest engaged ms, deepest scroll %,
    category, lowest engaged ms or None, 1 if the page view began in that session] (older rows hold the first
    three). A page view left open into a later session adds there only what it gained in it, as sessions count."""
    engaged, scroll, category = figures[0], figures[1], figures[2]
    if len(figures) >= 5 and not figures[4]:
        engaged = engaged - figures[3] if figures[3] is not None else 0
    return int(engaged or 0), int(scroll or 0), str(category or "")
