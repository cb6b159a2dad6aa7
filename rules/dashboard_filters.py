"""What the dashboards are filtered by: a site, a date range (UTC days) and optionally a segment; the range's limits
and the default site are written once here, for the rule board's form and the overview's."""

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from personalization.models import Site
from personalization.selectors import site_default
from segments.models import Segment

DEFAULT_DAYS = 30
MAX_DAYS = 366


def range_problem(*, since: date, until: date) -> str:
    """What is wrong with a date range, in words ("" when it is fine)."""
    if since > until:
        return f"The start ({since:%Y-%m-%d}) is after the end ({until:%Y-%m-%d}): swap them."
    if (until - since).days + 1 > MAX_DAYS:
        return f"Pick at most {MAX_DAYS} days; this range has {(until - since).days + 1}."
    return ""


def dashboard_site_default() -> Site | None:
    """The site a dashboard shows when none is chosen: the default site, else the first by name."""
    default = site_default()
    return Site.objects.filter(pk=default.id).first() if default else Site.objects.order_by("name").first()


class DashboardFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.order_by("name"), required=False,
                                  help_text="Empty: the first site.")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=f"Empty: {DEFAULT_DAYS} days ago.")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty: today.")
    segment = forms.ModelChoiceField(queryset=Segment.objects.filter(retired=False).order_by("name"), required=False,
                                     help_text="Only the visitors now in this segment.")

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.now().date()
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if problem := range_problem(since=since, until=until):
            raise forms.ValidationError(problem)
        site = data.get("site") or dashboard_site_default()
        segment = data.get("segment")
        if segment is not None and site is not None and segment.site_id != site.pk:
            raise forms.ValidationError(f"The segment {segment.name} belongs to another site: pick one of {site}.")
        data.update(since=since, until=until, site=site)
        return data


def day_window(since: date, until: date) -> tuple[datetime, datetime]:
    """From the start of `since` to the start of the day after `until` (UTC days, as the counters keep them). Ranges
    on the raw column, not on its date, let the database use an index on it."""
    return (datetime.combine(since, time.min, tzinfo=UTC),
            datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]
