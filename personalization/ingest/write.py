"""The one write path: collected batches into events, failed events, drop counters, sessions and profiles.

The embedded collector calls it with one batch inside the request; the Redis drain calls it
with hundreds; the server API and the traffic simulator go through it too.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from consent.services.rights import erased_digests

from ..collect.batch import CollectedBatch
from ..collect.schema import CONTROL_CHARACTERS
from ..models import DropReason, Event, FailedEvent
from ..selectors import site_for_id
from ..signals import events_stored
from ..stamps import event_stamps
from .activity import ms_to_datetime
from .apply import Identify, activities_apply, activities_group, activity_of, site_goals
from .choices import batches_consent_current
from .sql import writer_turn
from .store import drops_add, event_row, events_insert, failures_insert
from .visitors import user_visitors_place


@dataclass(frozen=True)
class WriteResult:
    stored: int
    duplicates: int
    per_batch: tuple[tuple[int, int, int], ...] = ()  # (stored, duplicates, erased) for each batch, in order
    erased: int = 0  # events dropped because their visitor was erased while they were on their way


def erased_visitors(batches: list[CollectedBatch]) -> set[tuple[str, str]]:
    """(site key, visitor id) of the batches' visitors whose data was erased recently."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for batch in batches:
        if batch.events or batch.failures:
            by_site[batch.site_key].append(batch.visitor_id)
    return {(site_key, vid) for site_key, vids in by_site.items()
            for vid in erased_digests(site_key=site_key, visitor_ids=vids)}


def stamps_of(batches: list[CollectedBatch]) -> dict[tuple[int, str], dict]:
    """{(site id, visitor id): dimensions to stamp on that visitor's events} (stamps.py), one call per site."""
    by_site: dict[int, set[str]] = defaultdict(set)
    for batch in batches:
        if batch.site_id is not None and batch.events:
            by_site[batch.site_id].add(batch.visitor_id)
    return {(site_id, visitor_id): dimensions for site_id, visitors in by_site.items()
            for visitor_id, dimensions in event_stamps(site_id=site_id, visitor_ids=sorted(visitors)).items()}


def printable(text: str) -> str:
    """Text from a rejected input, safe to store: control characters (NUL among them, which PostgreSQL text
    cannot hold) become U+FFFD."""
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def site_goals_of(site_id: int) -> tuple[str, ...]:
    info = site_for_id(site_id)
    return info.goals if info else ()


def day_of(ms: int) -> date:
    return ms_to_datetime(ms).date()


def batches_write(batches: list[CollectedBatch]) -> WriteResult:
    """Store everything the batches carry, in one transaction; events already stored are skipped and counted."""
    with writer_turn(), transaction.atomic():
        return batches_write_now(batches)


def batches_write_now(batches: list[CollectedBatch]) -> WriteResult:
    rows, seen, candidates = [], set(), []
    counts = [[0, 0, 0] for _ in batches]
    user_visitors_place(batches)
    batches_consent_current(batches)
    erased = erased_visitors(batches)
    stamps = stamps_of(batches)
    drops: Counter = Counter()
    failures = []
    for position, batch in enumerate(batches):
        day = day_of(batch.received_ms)
        for reason, n in batch.drops.items():
            drops[(batch.site_id, batch.site_key, reason, day)] += n
        if (batch.site_key, batch.visitor_id) in erased:  # erased while this batch was on its way: keep none of it
            drops[(batch.site_id, batch.site_key, DropReason.ERASED.value, day)] += len(batch.events)
            counts[position][2] = len(batch.events)
            continue
        failures.extend(
            FailedEvent(site_id=batch.site_id, site_key=printable(batch.site_key), reason=f.reason,
                        detail=printable(f.detail)[:500], event_index=f.index, event_id=printable(f.event_id)[:64],
                        visitor_id=printable(batch.visitor_id)[:64],
                        payload=printable(f.payload) if f.reason == DropReason.UNSTORED else printable(f.payload)[:8192],
                        received_at=ms_to_datetime(batch.received_ms))
            for f in batch.failures
        )
        if batch.site_id is None:
            continue
        stamped = stamps.get((batch.site_id, batch.visitor_id))
        for event in batch.events:
            if stamped:
                event.dimensions = {**stamped, **event.dimensions}
            key = (batch.site_id, event.event_id)
            if key in seen:
                drops[(batch.site_id, batch.site_key, DropReason.DUPLICATE.value, day)] += 1
                counts[position][1] += 1
                continue
            seen.add(key)
            rows.append(event_row(batch.site_id, batch, event))
            candidates.append((key, position, event))
    inserted = events_insert(rows)
    stored_by_site: dict[int, list] = defaultdict(list)
    for key, position, event in candidates:
        batch = batches[position]
        if key in inserted:
            stored_by_site[batch.site_id].append((batch, event))
            counts[position][0] += 1
        else:
            drops[(batch.site_id, batch.site_key, DropReason.DUPLICATE.value, day_of(batch.received_ms))] += 1
            counts[position][1] += 1
    failures_insert(failures)
    drops_add(dict(drops))
    for site_id, stored in stored_by_site.items():
        changed = site_apply(site_id=site_id, goals=site_goals(site_goals_of(site_id)), stored=stored)
        # Once per site and committed chunk; a chunk rolled back announces nothing.
        transaction.on_commit(lambda site_id=site_id, changed=changed: events_stored.send(
            sender=Event, site_id=site_id, profile_ids=changed))
    return WriteResult(stored=len(inserted), duplicates=sum(c[1] for c in counts), erased=sum(c[2] for c in counts),
                       per_batch=tuple(tuple(c) for c in counts))


def site_apply(*, site_id: int, goals: frozenset[str], stored: list) -> frozenset[int]:
    """Bring one site's sessions and profiles up to date with its newly stored events; the profiles changed."""
    pairs, identifies, first_seen = [], [], {}
    for batch, event in stored:
        pairs.append((batch.visitor_id, activity_of(
            event.ts_ms, event.event_id, event.type, event.name, event.url, event.path, event.referrer,
            event.page_view_id, event.category, event.props, batch.device_type,
        )))
        if event.user_key:  # an identify, or any server event sent with a userId
            identifies.append(Identify(event.ts_ms, event.event_id, batch.visitor_id, event.user_key))
        seen = first_seen.get(batch.visitor_id)
        if seen is None or event.ts_ms < seen[0]:
            first_seen[batch.visitor_id] = (event.ts_ms, batch.is_bot)
    first_seen = {vid: (ms_to_datetime(ms), is_bot) for vid, (ms, is_bot) in first_seen.items()}
    return activities_apply(site_id=site_id, goals=goals, by_visitor=activities_group(pairs), identifies=identifies,
                            first_seen=first_seen)
