"""Building an insight report: a site's visits over a date range read visitor by visitor in chunks, counted into
paths, transitions, funnels per segment, cohorts and engagement, with the report's stage and progress kept up to
date for its admin page."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.utils import timezone

from segments.models import Segment

from ..dashboard_filters import day_window, range_problem
from ..models import Funnel, InsightReport
from .cohorts import RetentionCounter
from .engagement import EngagementCounter, PageView, session_page_figures
from .paths import ALL, FunnelCounts, Hit, PathCounter, funnel_steps_read, sessions_split
from .reading import Person, SessionPages, hit_count, people, session_gap_ms, sessions_pages, visitor_hits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRange:
    since: date
    until: date  # inclusive
    segment: str

    @property
    def start(self) -> datetime:
        return day_window(self.since, self.until)[0]

    @property
    def end(self) -> datetime:
        return day_window(self.since, self.until)[1]


def report_range(params: dict) -> ReportRange:
    """A report's params as dates; raises ValueError saying what to fix."""
    try:
        since, until = date.fromisoformat(params["since"]), date.fromisoformat(params["until"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("Give the report a first and a last day, as YYYY-MM-DD.") from None
    if problem := range_problem(since=since, until=until):
        raise ValueError(problem)
    return ReportRange(since, until, str(params.get("segment") or ""))


@dataclass
class Tally:
    """Everything a report counts, fed one visitor at a time."""

    funnels: list[tuple[Funnel, FunnelCounts]]
    segments: dict[str, str]  # slug: name of the site's segments, to split funnels by
    paths: PathCounter = field(default_factory=PathCounter)
    engagement: EngagementCounter = field(default_factory=EngagementCounter)
    cohorts: RetentionCounter = field(default_factory=RetentionCounter)
    visitors: int = 0
    page_views: int = 0


def visitor_tally(tally: Tally, hits: list[Hit], person: Person, sessions: list[SessionPages], *,
                  span: ReportRange, gap_ms: int) -> None:
    """Count one visitor's hits (in time order) and stored sessions into the tally."""
    tally.visitors += 1
    keys = (ALL, *sorted(person.segments & tally.segments.keys()))
    for session in sessions_split(hits, gap_ms=gap_ms):
        tally.paths.add(session)
        for _, counts in tally.funnels:
            counts.add(session, keys=keys)
    figures: dict[str, list] = {}
    for stored in sessions:
        for page_view_id, page in stored.pages.items():
            engaged, scroll, category = session_page_figures(page)
            known = figures.setdefault(page_view_id, [0, 0, category])
            known[0], known[1] = known[0] + engaged, max(known[1], scroll)
        if stored.exit_path and stored.exit_at and span.start <= stored.exit_at < span.end:
            tally.engagement.add_exit(stored.exit_path)
    days = set()
    for hit in hits:
        if hit.is_page:
            tally.page_views += 1
            engaged, scroll, category = figures.get(hit.page_view_id, (0, 0, ""))
            tally.engagement.add_view(PageView(hit.path, category, engaged, scroll))
            days.add(datetime.fromtimestamp(hit.ts_ms / 1000, tz=UTC).date())
    if person.first_visit >= span.since:
        tally.cohorts.add(first_visit=person.first_visit, visit_days=days)


def report_progress(report_id: int, stage: str, progress: int) -> None:
    """Say what the build is doing; the admin page polls it."""
    InsightReport.objects.filter(pk=report_id).update(stage=stage, progress=progress)


def tally_read(report: InsightReport, span: ReportRange, tally: Tally) -> None:
    """Read the range's visits chunk by chunk into the tally, moving the report's progress from 5% to 90%."""
    site_id, gap_ms = report.site_id, session_gap_ms()
    total, read, shown = hit_count(site_id=site_id, since=span.start, until=span.end), 0, 5
    for chunk in visitor_hits(site_id=site_id, since=span.start, until=span.end):
        ids = [visitor_id for visitor_id, _ in chunk]
        known = people(site_id=site_id, visitor_ids=ids)
        stored = sessions_pages(site_id=site_id, visitor_ids=ids, since=span.start, until=span.end)
        for visitor_id, hits in chunk:
            person = known.get(visitor_id)
            read += len(hits)
            if person is None or person.is_bot or (span.segment and span.segment not in person.segments):
                continue
            visitor_tally(tally, hits, person, stored.get(visitor_id, []), span=span, gap_ms=gap_ms)
        progress = 5 + int(85 * min(read, total) / max(total, 1))
        if progress > shown:
            shown = progress
            report_progress(report.pk, f"reading visits: {read:,} of {total:,} events", progress)


def tally_result(tally: Tally, span: ReportRange) -> dict:
    """The report's result as JSON-ready data."""
    funnels = [{"name": funnel.name, "steps": [step.label for step in counts.steps],
                "by_segment": {key: counts.summary(key) for key in (ALL, *tally.segments)
                               if key == ALL or key in counts.reached}}
               for funnel, counts in tally.funnels]
    return {
        "since": span.since.isoformat(), "until": span.until.isoformat(), "segment": span.segment,
        "segments": tally.segments,
        "totals": {"visitors": tally.visitors, "sessions": tally.paths.sessions, "page_views": tally.page_views},
        "top_paths": tally.paths.top(), "transitions": tally.paths.matrix(), "funnels": funnels,
        "cohorts": tally.cohorts.matrix(last_day=span.until), "engagement": tally.engagement.result(),
    }


def tally_start(report: InsightReport, span: ReportRange) -> Tally:
    """An empty tally with the site's funnels and segments; raises ValueError when the segment asked for is not
    one of the site's."""
    segments = dict(Segment.objects.filter(site_id=report.site_id, retired=False).order_by("name")
                    .values_list("slug", "name"))
    if span.segment and span.segment not in segments:
        raise ValueError(f"The site has no segment '{span.segment}' (or it is retired): pick one of its segments.")
    funnels = []
    for funnel in Funnel.objects.filter(site_id=report.site_id).order_by("name"):
        try:
            funnels.append((funnel, FunnelCounts(funnel_steps_read(funnel.steps))))
        except ValueError as error:
            logger.warning("funnel %s is left out of reports until its steps are fixed: %s", funnel.pk, error)
    return Tally(funnels=funnels, segments=segments)


def insight_report_build(*, report_id: int) -> InsightReport:
    """Build a queued report to the end, or to a failure saying why; returns it as stored."""
    report = InsightReport.objects.get(pk=report_id)
    InsightReport.objects.filter(pk=report.pk).update(status=InsightReport.Status.RUNNING, stage="counting events",
                                                      progress=2, error="")
    try:
        span = report_range(report.params)
        tally = tally_start(report, span)
        tally_read(report, span, tally)
        report_progress(report.pk, "summing up", 95)
        InsightReport.objects.filter(pk=report.pk).update(
            status=InsightReport.Status.DONE, stage="done", progress=100, result=tally_result(tally, span),
            finished_at=timezone.now())
    except ValueError as error:
        InsightReport.objects.filter(pk=report.pk).update(status=InsightReport.Status.FAILED, stage="failed",
                                                          error=str(error), finished_at=timezone.now())
    except Exception as error:
        InsightReport.objects.filter(pk=report.pk).update(
            status=InsightReport.Status.FAILED, stage="failed", finished_at=timezone.now(),
            error=f"The build stopped on an unexpected error ({type(error).__name__}); the logs say more.")
        raise
    report.refresh_from_db()
    return report
