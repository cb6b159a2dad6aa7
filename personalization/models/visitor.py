"""Visitors (one per device id) and profiles (one per person: several visitors once identified)."""

from django.db import models
from django.utils import timezone

from ..figures import Storage, figure_columns
from .site import Site

STORAGE_FIELDS = {
    Storage.COUNT: lambda text: models.PositiveIntegerField(default=0, help_text=text),
    Storage.SMALL: lambda text: models.PositiveSmallIntegerField(default=0, help_text=text),
    Storage.SIGNED: lambda text: models.IntegerField(default=0, help_text=text),
    Storage.BIG: lambda text: models.BigIntegerField(default=0, help_text=text),
    Storage.TIME: lambda text: models.DateTimeField(null=True, blank=True, help_text=text),
    Storage.TEXT: lambda text: models.CharField(max_length=20, blank=True, help_text=text),
    Storage.JSON: lambda text: models.JSONField(default=dict, blank=True, help_text=text),
    Storage.FLOAT: lambda text: models.FloatField(null=True, blank=True, help_text=text),
}


class Profile(models.Model):
    """Incremental per-person aggregates: one column per figure declared in personalization/figures.py (added
    below), each aggregating in a way that lets two profiles merge and a rebuild from events give the same numbers
    whatever order the events arrived in."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)  # indexes below start with it
    origin_visitor_id = models.CharField(
        max_length=64, help_text="The visitor this profile was made for; lets concurrent writers create it once."
    )
    user_key = models.CharField(  # noqa: DJ001 - NULL (not "") so the per-site uniqueness skips anonymous profiles
        max_length=128, null=True, blank=True, help_text="The site's user id, as a keyed hash unless configured."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "user_key"], condition=models.Q(user_key__isnull=False), name="profile_user_unique"
            ),
            models.UniqueConstraint(fields=["site", "origin_visitor_id"], name="profile_origin_unique"),
        ]

    def __str__(self) -> str:
        return f"profile {self.pk}"

    # Figures derived from the stored ones when read, so that they never go stale.
    @property
    def mean_engaged_ms(self) -> float:
        """Engaged time per session."""
        return self.engaged_ms / self.sessions if self.sessions else 0.0

    @property
    def pages_per_session(self) -> float:
        return self.pageviews / self.sessions if self.sessions else 0.0

    @property
    def mean_scroll_depth(self) -> float:
        """Deepest scroll per page view, on average, in %."""
        return self.scroll_sum / self.scrolled_pages if self.scrolled_pages else 0.0

    @property
    def clicks_per_page(self) -> float:
        return self.clicks / self.pageviews if self.pageviews else 0.0

    @property
    def visits_per_week(self) -> float:
        """Sessions per week between the first and the last visit (at least one week)."""
        if not self.first_seen or not self.last_seen:
            return 0.0
        weeks = max(1.0, (self.last_seen - self.first_seen).total_seconds() / (7 * 86400))
        return self.sessions / weeks

    def recency_days(self, now=None) -> float | None:
        """Days since the last event."""
        if not self.last_seen:
            return None
        return ((now or timezone.now()) - self.last_seen).total_seconds() / 86400

    @property
    def category_affinities(self) -> dict[str, float]:
        """Each content category's share of the profile's page views (sums to 1)."""
        total = sum(self.category_views.values())
        return {category: n / total for category, n in sorted(self.category_views.items())} if total else {}


for _name, _storage, _description in figure_columns():
    Profile.add_to_class(_name, STORAGE_FIELDS[_storage](_description))


class Visitor(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)  # indexes below start with it
    visitor_id = models.CharField(max_length=64, help_text="Pseudonymous id made by the tracker (or the server API).")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="visitors")
    is_bot = models.BooleanField(default=False)
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "visitor_id"], name="visitor_unique_per_site")]

    def __str__(self) -> str:
        return self.visitor_id
