"""A consenting visitor's rule values (profile figures and features, cart, segments) kept in Redis between their
page views, so that /decide reads Redis instead of the profile and its memberships (about 1 ms of database work,
against a decision of 0.05 ms). Without Redis (the embedded default) values are read from the database.

Per visitor, `values` holds them as JSON with the change counts they were read at and when, and `gen` counts the
changes to what they are made of; per site, `gen` counts changes to many visitors at once (a clustering run moving
everyone). Whatever changes them bumps a count: the drain's stored events and small segment changes the visitor's,
a large segment change the site's (receivers.py); erasure deletes the values. Values read at other counts are never
used: a reader that raced a change stores values the next reader refuses, so a visitor's new figures count from
the first /decide after their events are stored. Values are also read again after VALUES_SECONDS, as recency and
decayed figures move with time alone.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

import orjson

from personalization.services.redis_shared import LeaderGrouping, redis_client

PREFIX = "attune:rv"
VALUES_SECONDS = 60  # time-dependent figures (days since the last visit, decayed counts) are this fresh
KEY_SECONDS = 3600  # a visitor's keys outlive a session; a count of a visitor seen no more is gone within the hour


def visitor_key(site_id: int, visitor_id: str, part: str) -> str:
    return f"{PREFIX}:{site_id}:v:{visitor_id}:{part}"


def site_key(site_id: int) -> str:
    return f"{PREFIX}:{site_id}:gen"


def visitor_values(*, site_id: int, visitor_id: str, read: Callable[[], dict | None],
                   prepare: Callable[[dict | None], object] = lambda values: values) -> object:
    """prepare(the visitor's raw rule values, None when they have no profile): from Redis when stored at the
    current change counts and within VALUES_SECONDS, else `read()` from the database and stored. What `prepare`
    made of the values Redis holds is kept in this process while Redis holds the same bytes."""
    values_key = visitor_key(site_id, visitor_id, "values")
    visitor_gen, site_gen, stored = _reader.submit((visitor_key(site_id, visitor_id, "gen"), site_key(site_id),
                                                    values_key))
    gens = [int(visitor_gen or 0), int(site_gen or 0)]
    if stored is not None:
        kept = _prepared.get(values_key)
        if kept is None or kept.stored != stored:
            entry = orjson.loads(stored)
            kept = Prepared(stored, entry["gens"], entry["at"], None, entry["values"])
        if kept.gens == gens and time.time() - kept.at < VALUES_SECONDS:
            if kept.result is None:
                kept = Prepared(stored, kept.gens, kept.at, prepare(values_decode(kept.encoded)), None)
                _prepared.put(values_key, kept)
            return kept.result
    values, at = read(), time.time()
    stored = orjson.dumps({"gens": gens, "at": at, "values": values_encode(values)}, option=orjson.OPT_SERIALIZE_NUMPY)
    redis_client().set(values_key, stored, ex=KEY_SECONDS)
    result = prepare(values)
    _prepared.put(values_key, Prepared(stored, gens, at, result, None))
    return result


class ValuesReader(LeaderGrouping):
    """The keys of the /decide requests waiting at one moment read with one MGET: on the loopback, the round trip
    was a third of a web worker's time per /decide."""

    name = "attune-rule-values"
    max_group = 256

    def handle(self, items: list) -> list:
        found = redis_client().mget([key for keys in items for key in keys])
        return [found[n:n + 3] for n in range(0, len(found), 3)]


_reader = ValuesReader()


class Prepared(NamedTuple):
    stored: bytes  # the entry as Redis holds it
    gens: list[int]
    at: float
    result: object  # prepare(values), None until made
    encoded: dict | None  # the values as stored, until prepared


class _Recent:
    """The most recently used entries, at most `size` of them (a visitor's are about 3 kB)."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> Prepared | None:
        with self.lock:
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, key: str, item: Prepared) -> None:
        with self.lock:
            self.items[key] = item
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


PREPARED_VISITORS = 10_000  # per process
_prepared = _Recent(PREPARED_VISITORS)


def visitors_changed(pairs: Iterable[tuple[int, str]]) -> None:
    """Values of these (site id, visitor id) are out of date: the next /decide of each reads them again."""
    pipe = redis_client().pipeline(transaction=False)
    for site_id, visitor_id in pairs:
        key = visitor_key(site_id, visitor_id, "gen")
        pipe.incr(key).expire(key, KEY_SECONDS)
    pipe.execute()


def site_changed(site_id: int) -> None:
    """Every visitor's values on the site are out of date (one write, however many visitors)."""
    redis_client().incr(site_key(site_id))


def visitors_forget(*, site_id: int, visitor_ids: Iterable[str]) -> int:
    """Delete the values kept of these visitors (erasure, withdrawal) and bump their counts, so that values a
    reader was storing meanwhile are refused too; returns how many were kept."""
    visitor_ids = list(visitor_ids)
    if not visitor_ids:
        return 0
    pipe = redis_client().pipeline(transaction=False)
    pipe.delete(*(visitor_key(site_id, visitor_id, "values") for visitor_id in visitor_ids))
    for visitor_id in visitor_ids:
        key = visitor_key(site_id, visitor_id, "gen")
        pipe.incr(key).expire(key, KEY_SECONDS)
    return pipe.execute()[0]


def values_encode(values: dict | None) -> dict | None:
    """As JSON: sets become lists (rules read any list of texts as a set), times ISO 8601 texts named in "times"."""
    if values is None:
        return None
    encoded, times = {}, []
    for name, value in values.items():
        if isinstance(value, frozenset | set):
            value = sorted(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
            times.append(name)
        encoded[name] = value
    return {"values": encoded, "times": times}


def values_decode(encoded: dict | None) -> dict | None:
    if encoded is None:
        return None
    values = encoded["values"]
    for name in encoded["times"]:
        values[name] = datetime.fromisoformat(values[name])
    return values

