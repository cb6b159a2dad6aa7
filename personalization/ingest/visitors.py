"""Visitors and the profiles they belong to: created on first sight, stitched on identify.

Creation is race-free without locks: a profile is created for its first visitor with
INSERT ... ON CONFLICT DO NOTHING on (site, origin_visitor_id), so two workers that see
the same new visitor at once create one profile and one visitor row between them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from ..models import Profile, Session, Visitor


@dataclass(slots=True)
class VisitorLink:
    profile_id: int
    is_bot: bool


def visitors_resolve(*, site_id: int, first_seen: dict[str, tuple[datetime, bool]]) -> dict[str, VisitorLink]:
    """The profile of each visitor id in `first_seen` ({visitor_id: (first seen, is bot)}), creating what is missing."""
    ids = list(first_seen)
    links = {
        visitor_id: VisitorLink(profile_id, is_bot)
        for visitor_id, profile_id, is_bot in Visitor.objects.filter(site_id=site_id, visitor_id__in=ids).values_list(
            "visitor_id", "profile_id", "is_bot"
        )
    }
    missing = [visitor_id for visitor_id in ids if visitor_id not in links]
    if missing:
        profiles_create(site_id=site_id, visitor_ids=missing)
        profile_ids = dict(
            Profile.objects.filter(site_id=site_id, origin_visitor_id__in=missing).values_list("origin_visitor_id", "id")
        )
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {Visitor._meta.db_table} (site_id, visitor_id, profile_id, is_bot, first_seen) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (site_id, visitor_id) DO NOTHING",
                [(site_id, vid, profile_ids[vid], first_seen[vid][1], adapt(first_seen[vid][0])) for vid in missing],
            )
        for visitor_id, profile_id, is_bot in Visitor.objects.filter(
            site_id=site_id, visitor_id__in=missing
        ).values_list("visitor_id", "profile_id", "is_bot"):
            links[visitor_id] = VisitorLink(profile_id, is_bot)
    return links


def profiles_create(*, site_id: int, visitor_ids: list[str]) -> None:
    table = Profile._meta.db_table
    defaults = {
        "events": 0, "sessions": 0, "pageviews": 0, "engaged_ms": 0, "scroll_sum": 0, "scrolled_pages": 0,
        "scroll_max": 0, "clicks": 0, "hovers": 0, "conversions": 0, "revenue_cents": 0, "event_counts": "{}",
        "goal_counts": "{}", "category_views": "{}", "category_engaged_ms": "{}", "device_type": "", "cart_items": 0,
        "cart_value_cents": 0,
    }
    columns = ["site_id", "origin_visitor_id", "updated_at", *defaults]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            "ON CONFLICT (site_id, origin_visitor_id) DO NOTHING",
            [(site_id, visitor_id, now, *defaults.values()) for visitor_id in sorted(visitor_ids)],
        )


def profile_reassign(*, from_profile_id: int, to_profile_id: int) -> None:
    """Point every visitor and session of one profile at another (the first is then deleted by the caller)."""
    Visitor.objects.filter(profile_id=from_profile_id).update(profile_id=to_profile_id)
    Session.objects.filter(profile_id=from_profile_id).update(profile_id=to_profile_id)


def visitors_of_profile(profile_id: int) -> list[str]:
    return list(Visitor.objects.filter(profile_id=profile_id).values_list("visitor_id", flat=True))


def profile_user_lookup(*, site_id: int, user_keys: list[str]) -> dict[str, int]:
    return dict(
        Profile.objects.filter(site_id=site_id, user_key__in=user_keys).values_list("user_key", "id")
    )


def profile_user_set(*, profile_id: int, user_key: str) -> None:
    Profile.objects.filter(pk=profile_id, user_key__isnull=True).update(user_key=user_key, updated_at=F("updated_at"))
