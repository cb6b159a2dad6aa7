"""Profiles as rows of figures, for reading millions of them (clustering) or many at once (segment assignment)."""

import orjson
from django.db import connection, transaction

from ..figures import STATE_FIELDS as FIGURE_COLUMNS
from ..figures import figure_columns
from ..models import Profile
from .people import PERSONALIZATION, profile_ids_consented
from .sites import SiteInfo, site_for_id

FIGURE_STORAGE = {name: storage for name, storage, _ in figure_columns()}


def profile_rows_for_site(*, site_id: int, columns: tuple[str, ...], since=None,
                          consented_to: str | None = PERSONALIZATION, chunk_size: int = 10_000):
    """profiles_for_site's people as rows: chunks of (profile id, *figures named by `columns`) tuples (times in
    milliseconds since 1970, per-key counts as dicts), for reading millions of profiles without a model instance for
    each. On PostgreSQL one query streams them through a server-side cursor, consent checked in it."""
    site = site_for_id(site_id)
    if site is None:
        return
    unknown = [name for name in columns if name not in FIGURE_COLUMNS]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} are not profile figures (personalization/figures.py).")
    if connection.vendor == "postgresql":
        yield from profile_rows_postgresql(site=site, columns=columns, since=since, consented_to=consented_to,
                                           chunk_size=chunk_size)
        return
    last_id = 0
    while True:
        rows = Profile.objects.filter(site_id=site.id, pk__gt=last_id).exclude(visitors__is_bot=True).order_by("pk")
        if since is not None:
            rows = rows.filter(last_seen__gte=since)
        chunk = list(rows.values_list("pk", *columns)[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1][0]
        times = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "time"]
        if times:
            chunk = [tuple(v.timestamp() * 1000 if i in times and v is not None else v for i, v in enumerate(row))
                     for row in chunk]
        if consented_to is not None:
            kept = profile_ids_consented(site=site, profile_ids=[row[0] for row in chunk], category=consented_to)
            chunk = [row for row in chunk if row[0] in kept]
        if chunk:
            yield chunk


def profile_rows(*, site_id: int, profile_ids, columns: tuple[str, ...]) -> list[tuple]:
    """(profile id, *figures named by `columns`) of some of a site's people, as profile_rows_for_site gives them."""
    if connection.vendor != "postgresql":
        rows = Profile.objects.filter(site_id=site_id, pk__in=list(profile_ids)).order_by("pk")
        times = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "time"]
        return [tuple(v.timestamp() * 1000 if i in times and v is not None else v for i, v in enumerate(row))
                for row in rows.values_list("pk", *columns)]
    selected = ", ".join(f"(extract(epoch from {name}) * 1000)::float8" if FIGURE_STORAGE[name] == "time" else name
                         for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {selected} FROM personalization_profile WHERE site_id = %s AND id = ANY(%s) "
                       "ORDER BY id", [site_id, list(profile_ids)])
        rows = cursor.fetchall()
    json_at = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "json"]
    if json_at and rows and isinstance(rows[0][json_at[0]], str):
        rows = [json_decoded(row, json_at) for row in rows]
    return rows


def profile_rows_postgresql(*, site: SiteInfo, columns, since, consented_to, chunk_size: int):
    """The site's profiles with no bot among their devices (and, with `consented_to`, of whom a device's latest
    choice grants it), in id order, fetched `chunk_size` rows at a time from one server-side cursor."""
    params: list = []
    consented = ""
    if consented_to is not None:
        consented = (
            " AND p.id IN (SELECT v.profile_id FROM personalization_visitor v JOIN (SELECT DISTINCT ON (visitor_id) "
            "visitor_id, granted FROM consent_consentrecord WHERE site_key = %s ORDER BY visitor_id, created_at DESC, "
            "id DESC) latest ON latest.visitor_id = v.visitor_id WHERE v.site_id = %s AND latest.granted @> %s::jsonb)")
        params += [site.public_key, site.id, orjson.dumps([consented_to]).decode()]
    if since is not None:
        consented += " AND p.last_seen >= %s"
        params.append(since)
    selected = ", ".join(f"(extract(epoch from p.{name}) * 1000)::float8" if FIGURE_STORAGE[name] == "time" else f"p.{name}"
                         for name in columns)  # milliseconds: far cheaper to read than datetimes
    sql = (f"SELECT p.id, {selected} FROM personalization_profile p "
           "WHERE p.site_id = %s AND p.id NOT IN (SELECT profile_id FROM personalization_visitor WHERE site_id = %s "
           f"AND is_bot){consented} ORDER BY p.id")
    json_at = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "json"]
    with transaction.atomic(), connection.cursor() as outer:  # a named cursor lives in a transaction
        outer.execute("SELECT 1")
        with connection.connection.cursor(name="attune_profile_rows") as cursor:
            cursor.itersize = chunk_size
            cursor.execute(sql, [site.id, site.id, *params])
            while rows := cursor.fetchmany(chunk_size):
                if json_at and isinstance(rows[0][json_at[0]], str):
                    rows = [json_decoded(row, json_at) for row in rows]
                yield rows


def json_decoded(row: tuple, positions: list[int]) -> list:
    """A row whose JSON columns (at `positions`) came back as text, with them decoded."""
    row = list(row)
    for i in positions:
        row[i] = orjson.loads(row[i])
    return row
