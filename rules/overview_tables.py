"""The overview as tables and chart data: the per-day table the pages show and export as CSV (exact, or with
privacy noise: overview_noise.py), and the series the charts draw (rules/static/rules/overview.js)."""

import csv
import io
import random

from .overview import Figures, Overview, SegmentEvolution
from .overview_noise import days_noisy, overview_noise_note, sizes_noise_note, sizes_noisy

FIGURE_COLUMNS = ("day", "visitors", "new visitors", "returning visitors", "sessions", "engaged minutes",
                  "engaged minutes per session", "conversions", "revenue", "consent choices")


def overview_header(overview: Overview) -> list[str]:
    return [*FIGURE_COLUMNS, *(f"granted {label} %" for _, label in overview.categories)]


def overview_row(figures: Figures, overview: Overview) -> list:
    """One day's (or the period's) row, in the order of overview_header; rates in %, empty without choices."""
    rates = [percent(figures.consent_rate(key)) for key, _ in overview.categories]
    return [figures.day.isoformat() if figures.day else "total", figures.visitors, figures.new_visitors,
            figures.returning_visitors, figures.sessions, round(figures.engaged_minutes, 1),
            round(figures.minutes_per_session, 2), figures.conversions, f"{figures.revenue:.2f}",
            figures.consent_choices, *("" if rate is None else rate for rate in rates)]


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def overview_csv(overview: Overview, *, title: str, epsilon: float | None = None,
                 rng: random.Random | None = None) -> str:
    """The per-day table as CSV after a "# " line saying what it is: exact, or (with `epsilon`) with its counts
    noised."""
    if epsilon is None:
        days, note = overview.days, "exact counts"
    else:
        days, note = days_noisy(overview, epsilon=epsilon, rng=rng or random.SystemRandom()), overview_noise_note(
            overview, epsilon=epsilon)
    return csv_text(f"{title}; {note}", overview_header(overview), [overview_row(day, overview) for day in days])


def segments_header(evolution: SegmentEvolution) -> list[str]:
    return ["day", *(segment.name for segment in evolution.segments)]


def segments_rows(evolution: SegmentEvolution, sizes: list[tuple[int, ...]] | None = None) -> list[list]:
    """Per day: each segment's size at the end of the day (from `sizes`, one tuple per segment, when given)."""
    sizes = sizes if sizes is not None else [segment.sizes for segment in evolution.segments]
    return [[day.isoformat(), *(column[n] for column in sizes)] for n, day in enumerate(evolution.days)]


def segments_csv(evolution: SegmentEvolution, *, title: str, epsilon: float | None = None,
                 rng: random.Random | None = None) -> str:
    if epsilon is None:
        rows, note = segments_rows(evolution), "exact sizes"
    else:
        noisy = sizes_noisy(evolution, epsilon=epsilon, rng=rng or random.SystemRandom())
        rows, note = segments_rows(evolution, noisy), sizes_noise_note(evolution, epsilon=epsilon)
    return csv_text(f"{title}; {note}", segments_header(evolution), rows)


def csv_text(comment: str, header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    out.write(f"# {' '.join(comment.split())}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([cell_inert(name) for name in header])
    writer.writerows(rows)
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_inert(text: str) -> str:
    """A name typed in admin (a rule's, a segment's, a category's) that a spreadsheet will not read as a formula."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def overview_chart_data(overview: Overview) -> dict:
    """The series the overview's charts draw, one value per day."""
    days = overview.days
    return {
        "days": [figures.day.isoformat() for figures in days],
        "visitors": [figures.visitors for figures in days],
        "new_visitors": [figures.new_visitors for figures in days],
        "returning_visitors": [figures.returning_visitors for figures in days],
        "sessions": [figures.sessions for figures in days],
        "engaged_minutes": [round(figures.engaged_minutes, 1) for figures in days],
        "minutes_per_session": [round(figures.minutes_per_session, 2) for figures in days],
        "conversions": [figures.conversions for figures in days],
        "revenue": [figures.revenue for figures in days],
        "consent": [{"label": label, "rates": [percent(figures.consent_rate(key)) for figures in days]}
                    for key, label in overview.categories],
    }


def segments_chart_data(evolution: SegmentEvolution) -> dict:
    """Each segment's size per day, and the clustering runs as markers on their day."""
    return {
        "days": [day.isoformat() for day in evolution.days],
        "segments": [{"label": f"{segment.name}{' (retired)' if segment.retired else ''}", "sizes": list(segment.sizes)}
                     for segment in evolution.segments],
        "runs": [{"day": run.day.isoformat(), "label": run_label(run)} for run in evolution.runs],
    }


def run_label(run) -> str:
    created = f", new: {', '.join(run.new_segments)}" if run.new_segments else ""
    return f"{run.config} clustered, k = {run.k if run.k is not None else '?'}{created}"
