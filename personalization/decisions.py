"""The decision-provider registry: what fills a page's slots, asked for by personalization, supplied by apps above it.

personalization never imports segments or rules: they register a provider in their AppConfig.ready(), and the
`{% personalize %}` tag and the decide endpoint ask `decisions_for`. A provider that fails never breaks a page:
the failure is logged and its slots keep their default content.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageContext:
    """What is known of the page being rendered: the slots it has, where it is, and how it was reached."""

    path: str = "/"
    page_type: str = ""
    category: str = ""
    referrer: str = ""
    query: dict[str, str] = field(default_factory=dict)  # UTM parameters and the like, as sent
    device_type: str = ""
    now: datetime = field(default_factory=timezone.now)


def _no_profile() -> None:
    return None


@dataclass(frozen=True)
class DecisionRequest:
    """Who asks for which slots. `visitor_id` is the visitor whose personalization consent is proven, "" otherwise
    (providers then decide from the page alone, or not at all). `profile` is their profile, read by `profile_read`
    the first time a provider asks (None without consent or without a profile): a provider that answers from a
    cache of its own costs the request no database read."""

    site_id: int
    slots: tuple[str, ...]
    page: PageContext
    visitor_id: str = ""
    profile_read: Callable[[], object | None] = _no_profile

    def __post_init__(self) -> None:
        object.__setattr__(self, "profile_read", functools.cache(self.profile_read))  # read once, whoever asks

    @property
    def profile(self) -> object | None:
        return self.profile_read() if self.visitor_id else None


@dataclass(frozen=True)
class Decision:
    """What one slot shows: sanitised HTML, and where it came from (for impressions, previews and "why").
    With keep_default the slot shows its default content but still reports `reference` (an experiment's control
    group: seen, clicked and converting like everyone else, so the lift over doing nothing is measured)."""

    slot: str
    html: str
    source: str  # the provider's name
    reference: str = ""  # e.g. the rule and variant, reported with impressions
    reason: str = ""  # plain language: why this content
    client_condition: dict | None = None  # an in-page condition the tracker waits for before it shows the content
    keep_default: bool = False


@dataclass(frozen=True)
class DecisionProvider:
    """A named function from a DecisionRequest to {slot: Decision}; providers registered earlier decide first."""

    name: str
    decide: Callable[[DecisionRequest], dict[str, Decision]]


_providers: list[DecisionProvider] = []


def decision_provider_register(provider: DecisionProvider) -> None:
    """Add (or replace, by name) a provider; apps call this from AppConfig.ready()."""
    _providers[:] = [p for p in _providers if p.name != provider.name] + [provider]


def decision_provider_unregister(name: str) -> None:
    _providers[:] = [p for p in _providers if p.name != name]


def decisions_for(request: DecisionRequest) -> dict[str, Decision]:
    """{slot: Decision} for the slots any provider decides; a slot no provider decides keeps its default."""
    decided: dict[str, Decision] = {}
    for provider in list(_providers):
        open_slots = tuple(slot for slot in request.slots if slot not in decided)
        if not open_slots:
            break
        try:
            answers = provider.decide(replace(request, slots=open_slots))
        except Exception:  # a provider's bug must not break the page: its slots show their defaults
            logger.exception("decision provider %s failed; its slots keep their default content", provider.name)
            continue
        decided.update((slot, decision) for slot, decision in answers.items() if slot in open_slots)
    return decided
