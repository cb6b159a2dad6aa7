"""What the rule performance board reads: each rule's results in a date range, its arms' daily series (visitors,
rate of its metric, planned share: a bandit's allocation over time), how long swapped content took to show, and the
same figures as CSV rows. Reads only the daily counters and exposures, never the events."""

from dataclasses import dataclass
from datetime import date

from segments.models import Segment

from .dashboard_filters import day_window, days_between
from .experiments import RuleResults, rule_arm_names, rule_days, rule_results
from .flicker import histogram_merge, histogram_percentile
from .models import RecommendationConcentration, Rule, RuleDay
from .overview_tables import cell_inert


@dataclass(frozen=True)
class Flicker:
    swaps: int
    p50_ms: float | None
    p95_ms: float | None
    histogram: list[int]


def board_rules(*, site_id: int, since: date, until: date, segment: Segment | None = None) -> list[RuleResults]:
    """Every rule of the site (enabled first) with its results over the range."""
    rules = (Rule.objects.filter(site_id=site_id).select_related("variant").prefetch_related("arms__variant")
             .order_by("-enabled", "slot", "-priority", "pk"))
    return [rule_results(rule, since=since, until=until, segment=segment) for rule in rules]


def rule_flicker(rule: Rule, *, since: date, until: date) -> Flicker:
    """Swapped content's delay after navigation over the range, all arms together."""
    return _flicker(rule_days(rule, since=since, until=until))


def site_flicker(*, site_id: int, since: date, until: date) -> Flicker:
    """The same over every rule of the site: how long visitors look at a default before personalized content."""
    return _flicker(RuleDay.objects.filter(rule__site_id=site_id, day__range=(since, until)))


def _flicker(days) -> Flicker:
    histogram = histogram_merge(days.exclude(swap_ms=[]).values_list("swap_ms", flat=True))
    return Flicker(swaps=sum(histogram), p50_ms=histogram_percentile(histogram, 0.5),
                   p95_ms=histogram_percentile(histogram, 0.95), histogram=histogram)


def rule_series(rule: Rule, *, since: date, until: date) -> dict:
    """Per day and arm: visitors first exposed, the rate of the rule's metric among them, and the planned share."""
    days = days_between(since, until)
    index = {day: n for n, day in enumerate(days)}
    names = rule_arm_names(rule)
    arms = {key: {"name": name, "visitors": [0] * len(days), "rate": [None] * len(days), "share": [None] * len(days)}
            for key, name in names.items()}
    reached = "clicks" if rule.metric == Rule.Metric.CLICK else "conversions"
    for row in rule_days(rule, since=since, until=until).values(
            "arm", "day", "visitors", "share", reached):
        arm = arms.get(row["arm"])
        if arm is None:
            continue
        n = index[row["day"]]
        arm["visitors"][n] = row["visitors"]
        arm["rate"][n] = row[reached] / row["visitors"] if row["visitors"] else None
        arm["share"][n] = row["share"]
    return {"days": [day.isoformat() for day in days], "arms": list(arms.values()), "metric": rule.metric}


CSV_HEADER = ["rule", "slot", "arm", "impressions", "visitors", "clicks", "conversions", "rate", "rate_low",
              "rate_high", "lift", "lift_low", "lift_high", "p_beat_control", "decision"]


def board_csv_rows(results: list[RuleResults]) -> list[list]:
    """One row per rule and arm, figures as the board shows them (rates of each rule's metric); names typed in
    admin made inert for spreadsheets."""
    rows = []
    for result in results:
        judged = result.result.arms if result.result else [None] * len(result.arms)
        for totals, shown in zip(result.arms, judged, strict=True):  # experiment_result keeps the arms' order
            rows.append([cell_inert(result.rule.name), result.rule.slot, cell_inert(totals.name), totals.impressions,
                         totals.visitors, totals.clicks, totals.conversions,
                         *([shown.rate, shown.rate_low, shown.rate_high, shown.lift, shown.lift_low, shown.lift_high,
                            shown.p_beat_control, shown.decision] if shown else [None] * 8)])
    return rows


def concentration_measured(*, site_id: int, since: date, until: date) -> list[RecommendationConcentration]:
    """The hourly check's measurements in the range, the latest first (at most 48)."""
    start, end = day_window(since, until)
    return list(RecommendationConcentration.objects.filter(site_id=site_id, measured_at__gte=start,
                                                           measured_at__lt=end)[:48])
