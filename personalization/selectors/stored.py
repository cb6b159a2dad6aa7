"""Events read in the order they were stored, for jobs that count incrementally (rule feedback): a range of event
ids at a time, and what counts as a conversion on a site."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from ..ingest.activity import goal_of
from ..ingest.apply import site_goals
from ..models import Event, Site

ACTION_TYPES = ("track", "form_submit", "video")  # the event types a rule's impression, click or goal can be


@dataclass(frozen=True, slots=True)
class ActionEvent:
    id: int
    site_id: int
    visitor_id: str
    type: str
    name: str
    ts: datetime
    props: dict


def event_id_last() -> int:
    """The highest event id stored so far (0 when there is none)."""
    return Event.objects.aggregate(last=Max("id"))["last"] or 0


def action_events_between(*, after_id: int, upto_id: int, chunk: int = 20_000) -> Iterator[list[ActionEvent]]:
    """Track, form and video events with after_id < id <= upto_id, in chunks in id order."""
    while after_id < upto_id:
        rows = list(Event.objects.filter(id__gt=after_id, id__lte=upto_id, type__in=ACTION_TYPES).order_by("id")
                    .values_list("id", "site_id", "visitor_id", "type", "name", "ts", "props")[:chunk])
        if not rows:
            return
        yield [ActionEvent(*row) for row in rows]
        after_id = rows[-1][0]


def site_goal_names(*, site_id: int) -> frozenset[str]:
    """The names of the site's conversion goals: the standard ones and the site's own."""
    return site_goals(Site.objects.filter(pk=site_id).values_list("goals", flat=True).first() or ())


def event_goal(event: ActionEvent, *, goals: frozenset[str]) -> str:
    """The goal the event achieves ("" when it is no conversion), as profiles and sessions count it."""
    return goal_of(event, goals)
