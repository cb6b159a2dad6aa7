"""The overview pages' filter: site, date range (last 30 days unless chosen), segment, and privacy noise for CSV."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from personalization.models import Site
from segments.models import Segment

from .dashboard_filters import DEFAULT_DAYS, dashboard_site_default, range_problem


class DateInput(forms.DateInput):
    input_type = "date"


class OverviewForm(forms.Form):
    site = forms.TypedChoiceField(coerce=int)
    since = forms.DateField(label="From", widget=DateInput)
    until = forms.DateField(label="To (included)", widget=DateInput)
    segment = forms.ChoiceField(required=False, label="Visitors", help_text="Everyone, or one segment's members.")
    noise = forms.BooleanField(required=False, label="Add privacy noise to the CSV",
                               help_text="Counts in the CSV carry differential-privacy noise.")

    def __init__(self, *args, with_segment: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        sites = list(Site.objects.order_by("name").values_list("pk", "name"))
        self.fields["site"].choices = sites
        self.site_names = dict(sites)
        if not with_segment:
            del self.fields["segment"]
            return
        grouped: dict[str, list[tuple[str, str]]] = {}
        for site_name, slug, name in (Segment.objects.filter(retired=False).order_by("site__name", "name")
                                      .values_list("site__name", "slug", "name")):
            grouped.setdefault(site_name, []).append((slug, name))
        self.fields["segment"].choices = [("", "Everyone"), *grouped.items()]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and (problem := range_problem(since=since, until=until)):
            self.add_error("until" if since <= until else "since", problem)
        site_id, slug = data.get("site"), data.get("segment")
        if site_id and slug and not Segment.objects.filter(site_id=site_id, slug=slug).exists():
            self.add_error("segment", f"“{slug}” is a segment of another site: pick one of "
                                      f"{self.site_names.get(site_id, 'this site')}'s segments, or everyone.")
        return data


def overview_defaults(today: date | None = None) -> dict[str, str]:
    """What the form shows when the address names nothing: the default (or first) site and the last 30 days."""
    today = today or timezone.localdate()
    site = dashboard_site_default()
    return {"site": str(site.pk if site else ""), "since": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "until": today.isoformat()}


def overview_form(query, *, with_segment: bool = True) -> OverviewForm:
    """The filter bound to the address's values, the defaults filling in what it leaves out (an emptied field stays
    empty, and is reported)."""
    data = {**overview_defaults(), **{key: query.get(key) for key in query}}
    return OverviewForm(data, with_segment=with_segment)
