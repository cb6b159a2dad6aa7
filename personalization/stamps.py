"""Dimensions stamped on events as they are stored, supplied by apps above personalization.

segments stamps each event with the segments its visitor is in at that moment, so that any analysis can split by
segment as it stood when the event happened. A provider takes a site and its visitors of a write and answers
{visitor_id: {dimension: value}}; its dimensions are added to the events' own (the event's win on a clash).
"""

from collections.abc import Callable

StampProvider = Callable[[int, list[str]], dict[str, dict[str, object]]]
_providers: list[StampProvider] = []


def event_stamp_register(provider: StampProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def event_stamps(*, site_id: int, visitor_ids: list[str]) -> dict[str, dict[str, object]]:
    """What every registered provider stamps on the events of these visitors."""
    stamps: dict[str, dict[str, object]] = {}
    for provider in _providers:
        for visitor_id, dimensions in provider(site_id, visitor_ids).items():
            stamps.setdefault(visitor_id, {}).update(dimensions)
    return stamps
