"""A finished report's result shaped for its admin page (pure): Chart.js data for funnels, scroll depth and exits,
and table rows with heat-map classes for the transition matrix and cohort retention."""

from dataclasses import dataclass

from .paths import ALL

HEAT_STEPS = 5  # shares shown in classes heat-0 (none) to heat-5 (all)
EVERYONE = "All visitors"


def heat_class(share: float | None) -> str:
    """The CSS class of a share (0 to 1) in a heat map; "" for a cell that has no value."""
    return "" if share is None else f"heat-{min(HEAT_STEPS, max(0, round(share * HEAT_STEPS)))}"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def funnel_chart(funnel: dict, segment_names: dict[str, str]) -> dict:
    """Bars of sessions reaching each step, one series per segment, with everyone's drop-off after each step."""
    names = {ALL: EVERYONE, **segment_names}
    everyone = funnel["by_segment"].get(ALL, {"reached": [0] * len(funnel["steps"]), "dropoff": []})
    labels = [f"{step} (then {percent(dropoff)} left)" if dropoff is not None else step
              for step, dropoff in zip(funnel["steps"], everyone["dropoff"] or [None] * len(funnel["steps"]),
                                       strict=True)]
    return {"title": funnel["name"], "labels": labels,
            "datasets": [{"label": names.get(key, key), "data": counts["reached"]}
                         for key, counts in funnel["by_segment"].items()]}


@dataclass(frozen=True)
class FunnelTable:
    """A funnel's steps with, per segment, sessions reaching each and the share leaving before the next."""

    name: str
    segments: list[str]
    rows: list[tuple[str, list[tuple[int, str]]]]  # (step, [(reached, drop-off shown) per segment])


def funnel_tables(result: dict) -> list[FunnelTable]:
    names = {ALL: EVERYONE, **result.get("segments", {})}
    tables = []
    for funnel in result.get("funnels", []):
        keys = list(funnel["by_segment"])
        rows = [(step, [(funnel["by_segment"][key]["reached"][n], percent(funnel["by_segment"][key]["dropoff"][n]))
                        for key in keys])
                for n, step in enumerate(funnel["steps"])]
        tables.append(FunnelTable(funnel["name"], [names.get(key, key) for key in keys], rows))
    return tables


def chart_data(result: dict) -> dict:
    """What insight.js draws: funnel bars, the scroll-depth histogram and the pages visitors leave from."""
    scroll = result.get("engagement", {}).get("scroll", {"milestones": [], "shares": []})
    exits = result.get("engagement", {}).get("exits", [])
    return {
        "funnels": [funnel_chart(funnel, result.get("segments", {})) for funnel in result.get("funnels", [])],
        "scroll": {"labels": ["under 25%" if m == 0 else f"{m}%" for m in scroll["milestones"]],
                   "shares": scroll["shares"]},
        "exits": {"labels": [row["path"] for row in exits[:10]], "data": [row["exits"] for row in exits[:10]]},
    }


def transition_rows(matrix: dict) -> list[tuple[str, list[tuple[int, str, str]]]]:
    """Each row of the transition matrix as (from, [(count, share shown, heat class) per next page type])."""
    return [(row, [(count, percent(share), heat_class(share)) for count, share in zip(counts, shares, strict=True)])
            for row, counts, shares in zip(matrix.get("rows", []), matrix.get("counts", []), matrix.get("shares", []),
                                           strict=True)]


def cohort_rows(cohorts: dict) -> list[tuple[str, int, list[tuple[str, str]]]]:
    """Each cohort as (first-visit week, visitors, [(share shown, heat class) per week after])."""
    return [(week, size, [(percent(share), heat_class(share)) for share in shares])
            for week, size, shares in zip(cohorts.get("weeks", []), cohorts.get("sizes", []),
                                          cohorts.get("shares", []), strict=True)]
