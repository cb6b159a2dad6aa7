"""A site's setup at a glance: its latest stored and refused events, and whether events arrive at all (and if
not, why and what to do). Read by the site's setup page in admin; every query is bounded by a limit or a time
window on an indexed column, as the page asks again every two seconds."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from ..models import DropCounter, DropReason, Event, FailedEvent, Site

LIVE_LIMIT_MAX = 200
RECENT = timedelta(minutes=10)  # events this fresh mean "arriving"
HOUR = timedelta(hours=1)
REFUSED_WINDOW = timedelta(days=1)  # failed events are kept for a short time anyway
ACCEPTED_COUNT_CAP = 10_000  # a busy site's hour is counted up to here, not row by row to the end
NOT_REFUSED = frozenset({DropReason.DUPLICATE.value})  # a duplicate's first copy was stored
EXAMPLE_ORIGIN = "https://www.example.com"

# What to do about each reason for refusing events, as the setup page's verdict says it.
REFUSAL_ADVICE = {
    DropReason.UNKNOWN_ORIGIN: f"add the origin of your pages (as {EXAMPLE_ORIGIN}) to this site's allowed origins.",
    DropReason.NO_CONSENT: "the visitor has not allowed analytics: accept it in the consent banner on your page "
                           "({% consent_banner %}).",
    DropReason.INVALID: "the collector cannot read them: the refused rows below say what is wrong; use the tracker "
                        "served by Attune, or fix the events your own code sends.",
    DropReason.BOT: "the browser looks automated (headless, or a crawler's user agent): open the page in an "
                    "ordinary browser.",
    DropReason.RATE_LIMITED: "too many batches came from one address or for this site: wait a minute, then reload.",
    DropReason.UNVERIFIED_USER: "identify names a user without the site backend's signature: use "
                                "{% attune_tracker %}, which signs it, or sign it with the site's identity secret.",
    DropReason.ERASED: "the visitor was erased while the events were on their way: reload the page and choose in "
                       "the banner again.",
    DropReason.LOST_ON_DEVICE: "the tracker's outbox was full on the device: check that your pages can reach the "
                               "collector's endpoint.",
    DropReason.UNSTORED: "storage failed; they are kept whole: run `manage.py dead_letters_replay` once the "
                         "database answers again.",
}


@dataclass(frozen=True)
class SiteSetupCheck:
    status: str  # "arriving", "waiting" or "refused"
    verdict: str
    arrived_recently: bool
    arrived_ever: bool
    last_event_at: datetime | None
    accepted_last_hour: int  # at most ACCEPTED_COUNT_CAP
    refused_last_hour: dict[str, int]  # failed events kept, per reason
    refused_today: dict[str, int]  # every refusal counted today (UTC), per reason
    allowed_origins: list[str]


def site_live_events(*, site_id: int, since: datetime | None = None, limit: int = 50, stored: bool = True,
                     refused: bool = True) -> list[dict]:
    """The site's latest events, stored and refused (either left out when False: what the viewer may not see),
    newest first (at most `limit`, up to LIVE_LIMIT_MAX; only those after `since` when given): plain dicts with
    `accepted`, the refusal's `reason` ("" when stored) and the pseudonymous visitor id, never a user key or an
    address."""
    limit = max(1, min(limit, LIVE_LIMIT_MAX))
    rows = stored_rows(site_id=site_id, since=since, limit=limit) if stored else []
    rows += refused_rows(site_id=site_id, since=since, limit=limit) if refused else []
    return sorted(rows, key=lambda row: row["at"], reverse=True)[:limit]


def stored_rows(*, site_id: int, since: datetime | None, limit: int) -> list[dict]:
    """The site's latest stored events by time (the (site, ts) index, read backwards)."""
    events = Event.objects.filter(site_id=site_id)
    if since is not None:
        events = events.filter(ts__gt=since)
    fields = ("id", "ts", "received_at", "type", "name", "path", "consent", "source", "visitor_id")
    return [
        {**row, "at": row["ts"], "consent": sorted(filter(None, row["consent"].split(","))), "accepted": True,
         "reason": "", "detail": ""}
        for row in events.order_by("-ts").values(*fields)[:limit]
    ]


def refused_rows(*, site_id: int, since: datetime | None, limit: int) -> list[dict]:
    """The site's latest refused events of the last day (the received_at index), without their payloads."""
    failures = FailedEvent.objects.filter(site_id=site_id, received_at__gte=timezone.now() - REFUSED_WINDOW)
    if since is not None:
        failures = failures.filter(received_at__gt=since)
    fields = ("id", "received_at", "reason", "detail", "visitor_id")
    return [
        {**row, "at": row["received_at"], "ts": None, "type": "", "name": "", "path": "", "consent": [],
         "source": "", "accepted": False}
        for row in failures.order_by("-received_at").values(*fields)[:limit]
    ]


def site_setup_check(*, site_id: int) -> SiteSetupCheck:
    """Whether events reach the site (in the last ten minutes, ever), how many were stored and refused lately
    and why, its allowed origins, and a plain-language verdict on what to do next."""
    now = timezone.now()
    # Read here, not from the site cache: an origin just added in admin shows at once.
    allowed_origins = Site.objects.filter(pk=site_id).values_list("allowed_origins", flat=True).first() or []
    last = Event.objects.filter(site_id=site_id).order_by("-ts").values_list("ts", flat=True).first()
    arrived_recently = last is not None and last >= now - RECENT
    refused_today = refusals_today(site_id=site_id, day=now.date())
    status, verdict = verdict_of(last_event_at=last, arrived_recently=arrived_recently,
                                 refused_today=refused_today, allowed_origins=allowed_origins)
    return SiteSetupCheck(
        status=status, verdict=verdict, arrived_recently=arrived_recently, arrived_ever=last is not None,
        last_event_at=last, accepted_last_hour=accepted_since(site_id=site_id, start=now - HOUR),
        refused_last_hour=refusals_since(site_id=site_id, start=now - HOUR), refused_today=refused_today,
        allowed_origins=list(allowed_origins),
    )


def accepted_since(*, site_id: int, start: datetime) -> int:
    """Events stored for the site since `start`, counted up to ACCEPTED_COUNT_CAP."""
    return Event.objects.filter(site_id=site_id, ts__gte=start)[:ACCEPTED_COUNT_CAP].count()


def refusals_since(*, site_id: int, start: datetime) -> dict[str, int]:
    """Failed events kept for the site since `start`, per reason."""
    rows = (FailedEvent.objects.filter(site_id=site_id, received_at__gte=start).exclude(reason__in=NOT_REFUSED)
            .values("reason").annotate(n=Count("id")).order_by())
    return {row["reason"]: row["n"] for row in rows}


def refusals_today(*, site_id: int, day: date) -> dict[str, int]:
    """Every event the collector refused for the site on `day` (UTC), per reason, from its drop counters."""
    rows = (DropCounter.objects.filter(site_id=site_id, day=day).exclude(reason__in=NOT_REFUSED)
            .values("reason").annotate(n=Sum("count")).order_by())
    return {row["reason"]: row["n"] for row in rows if row["n"]}


def verdict_of(*, last_event_at: datetime | None, arrived_recently: bool, refused_today: dict[str, int],
               allowed_origins: list[str]) -> tuple[str, str]:
    """(status, verdict): arriving, refused (the commonest reason today, and what to do) or waiting."""
    if arrived_recently:
        return "arriving", "Events are arriving."
    if refused_today:
        reason = max(refused_today, key=lambda key: (refused_today[key], key))
        label = DropReason(reason).label if reason in DropReason.values else reason
        advice = REFUSAL_ADVICE.get(reason, "open the refused rows below to see why.")
        return "refused", f"Events are refused: {label} — {advice}"
    origins = "" if allowed_origins else f"add the origin of your pages (as {EXAMPLE_ORIGIN}) to the allowed origins, "
    if last_event_at is None:
        return "waiting", (f"No events yet: {origins}paste the snippet into your pages, open one in a browser and "
                           "allow analytics in the consent banner.")
    return "waiting", (f"No events in the last 10 minutes (the last at {last_event_at:%Y-%m-%d %H:%M} UTC): "
                       f"{origins}open a page with the snippet in a browser and allow analytics in the banner.")
