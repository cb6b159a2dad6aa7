"""Celery tasks of behavioural insight: thin, they call the services. Registered through rules.tasks (the module
Celery discovers), which imports them."""

from celery import shared_task


@shared_task(ignore_result=True, acks_late=True)
def insight_report_build_task(report_id: int) -> str:
    """Build one queued insight report."""
    from .insight.build import insight_report_build
    from .models import InsightReport

    if not InsightReport.objects.filter(pk=report_id).exists():
        return "gone"
    return insight_report_build(report_id=report_id).status


@shared_task(ignore_result=True)
def insight_findings_detect() -> int:
    """Hourly: every site's findings (peaks, funnel drop-offs, broken tracking, drift). Returns findings stored."""
    from .insight.findings import findings_detect_due

    return findings_detect_due()


@shared_task(ignore_result=True)
def insight_peaking_refresh() -> int:
    """Every five minutes: each site's pages peaking now, kept in the cache for the rule field page_peaking."""
    from .insight.peaking import peaking_refresh_all

    return peaking_refresh_all()
