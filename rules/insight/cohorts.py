"""Return visits (pure): visitors grouped by the ISO week of their first visit, and the share of each group that
came back in each later week."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_label(day: date) -> str:
    """An ISO week as editors read it: 2024-W05."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class RetentionCounter:
    """Cohorts by first-visit week; a visitor counts in week offset k when they visited in the k-th week after
    their first (offset 0 is the first week itself, so every cohort starts at 100%)."""

    def __init__(self) -> None:
        self.active: dict[date, Counter[int]] = defaultdict(Counter)

    def add(self, *, first_visit: date, visit_days: Iterable[date]) -> None:
        cohort = week_start(first_visit)
        offsets = {(week_start(day) - cohort).days // 7 for day in visit_days if day >= cohort}
        offsets.add(0)
        for offset in offsets:
            self.active[cohort][offset] += 1

    def matrix(self, *, last_day: date) -> dict[str, list]:
        """Cohort weeks (oldest first), their sizes, and per week offset the count and share that came back; None
        where the week lies after last_day (not seen yet)."""
        weeks = sorted(self.active)
        last_week = week_start(last_day)
        width = max(((last_week - week).days // 7 + 1 for week in weeks), default=0)
        counts, shares = [], []
        for week in weeks:
            seen = (last_week - week).days // 7 + 1
            size = self.active[week][0]
            row = [self.active[week][offset] if offset < seen else None for offset in range(width)]
            counts.append(row)
            shares.append([None if n is None else n / size for n in row])
        return {"weeks": [week_label(week) for week in weeks], "sizes": [self.active[w][0] for w in weeks],
                "offsets": list(range(width)), "counts": counts, "shares": shares}
