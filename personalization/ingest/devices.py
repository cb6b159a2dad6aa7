"""A shared device changing hands: when another user is identified on a device, the device moves to that user from
then on, and what it did before stays with the user it was identified as then."""

import secrets

from ..models import Event, Profile, Session, Visitor
from .activity import ms_to_datetime
from .aggregate import ProfileState
from .profile_rows import profiles_lock
from .visitors import profiles_create


def device_past_keep(*, site_id: int, visitor_id: str, before_ms: int, profile_id: int) -> str:
    """Give the device's events and sessions before `before_ms` a visitor id of their own on `profile_id` (the user
    the device belonged to), so that they stay that user's when the device moves on; returns that id."""
    past_id = f"{visitor_id[:40]}_{secrets.token_urlsafe(9)}"  # a well-formed visitor id, never one a tracker makes
    before = ms_to_datetime(before_ms)
    device = Visitor.objects.get(site_id=site_id, visitor_id=visitor_id)
    Visitor.objects.create(site_id=site_id, visitor_id=past_id, profile_id=profile_id, is_bot=device.is_bot,
                           first_seen=device.first_seen)
    Event.objects.filter(site_id=site_id, visitor_id=visitor_id, ts__lt=before).update(visitor_id=past_id)
    Session.objects.filter(site_id=site_id, visitor_id=visitor_id, started_at__lt=before).update(visitor_id=past_id)
    return past_id


def user_profile_new(*, site_id: int, user_key: str) -> tuple[int, ProfileState]:
    """A new, empty profile for a user first seen on a device that belonged to someone else (locked, like the others
    of the transaction)."""
    origin = f"u-{secrets.token_urlsafe(18)}"  # a profile's origin must be unique; no device is its origin here
    profiles_create(site_id=site_id, visitor_ids=[origin])
    profile = Profile.objects.filter(site_id=site_id, origin_visitor_id=origin)
    profile.update(user_key=user_key)
    profile_id = profile.values_list("id", flat=True).get()
    return profile_id, profiles_lock({profile_id})[profile_id][0]


def device_move(*, site_id: int, visitor_id: str, to_profile_id: int) -> None:
    """The device belongs to `to_profile_id` from now on."""
    Visitor.objects.filter(site_id=site_id, visitor_id=visitor_id).update(profile_id=to_profile_id)
