"""What every dashboard is filtered by: a site, a date range (UTC days) and optionally a segment, checked once here."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from personalization.models import Site
from segments.models import Segment

DEFAULT_DAYS = 30
MAX_DAYS = 366


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
        if since > until:
            raise forms.ValidationError(f"The range starts ({since}) after it ends ({until}): swap the two dates.")
        if (until - since).days + 1 > MAX_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_DAYS} days; this range has {(until - since).days + 1}.")
        site = data.get("site") or Site.objects.order_by("pk").first()
        segment = data.get("segment")
        if segment is not None and site is not None and segment.site_id != site.pk:
            raise forms.ValidationError(f"The segment {segment.name} belongs to another site: pick one of {site}.")
        data.update(since=since, until=until, site=site)
        return data


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]
