"""Apps that hold personal data register here, in their AppConfig.ready(), how to export it, erase it
and purge it when it expires. `consent` calls them without knowing the apps (they depend on it,
never the other way round)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Subject:
    """Whose data: a visitor on a site, and the site's user id when known."""

    site_key: str
    visitor_ids: tuple[str, ...] = ()
    user_key: str = ""


@dataclass(frozen=True)
class PersonalDataHandler:
    name: str
    models: tuple[type, ...]  # every model this handler covers (checked by a test that walks all models)
    export: Callable[[Subject], dict]
    erase: Callable[[Subject], int]  # returns how many rows (or entries) were erased
    category: str = "analytics"  # the consent category the data was collected under
    # What of it was collected for these purposes alone (events a site marked `purpose: marketing`, say), erased
    # when one of them is withdrawn; None when the handler keeps nothing per purpose.
    erase_purposes: Callable[[Subject, frozenset[str]], int] | None = None


@dataclass(frozen=True)
class RetentionHandler:
    name: str
    category: str  # the consent category whose retention period applies, or "failed" etc.
    purge: Callable[[datetime, int], int]  # (cutoff, batch size) -> rows deleted


_personal_data: dict[str, PersonalDataHandler] = {}
_retention: dict[str, RetentionHandler] = {}


def personal_data_register(handler: PersonalDataHandler) -> None:
    _personal_data[handler.name] = handler


def retention_register(handler: RetentionHandler) -> None:
    _retention[handler.name] = handler


def personal_data_handlers() -> list[PersonalDataHandler]:
    return list(_personal_data.values())


def retention_handlers() -> list[RetentionHandler]:
    return list(_retention.values())


_subject_resolvers: list[Callable[[Subject], Subject]] = []


def subject_resolver_register(resolver: Callable[[Subject], Subject]) -> None:
    """A function that completes a Subject (for example with every device of a known user)."""
    if resolver not in _subject_resolvers:
        _subject_resolvers.append(resolver)


def subject_resolvers() -> list[Callable[[Subject], Subject]]:
    return list(_subject_resolvers)


_site_key_provider: list[Callable[[], str]] = []


def default_site_key_register(provider: Callable[[], str]) -> None:
    """The app that knows sites tells consent which site key pages belong to by default."""
    _site_key_provider[:] = [provider]


def default_site_key() -> str:
    return _site_key_provider[0]() if _site_key_provider else ""


_user_key_provider: list[Callable[[str, str], str]] = []


def user_key_provider_register(provider: Callable[[str, str], str]) -> None:
    """How the app that stores user ids turns (site key, user id) into the stored user key."""
    _user_key_provider[:] = [provider]


def user_key_for(site_key: str, user_id: str) -> str:
    return _user_key_provider[0](site_key, user_id) if _user_key_provider else ""


_visitor_user_key: list[Callable[[str, str], str]] = []


def visitor_user_key_register(provider: Callable[[str, str], str]) -> None:
    """How to find the stored user key of a visitor who was identified: (site key, visitor id) -> key."""
    _visitor_user_key[:] = [provider]


def visitor_user_key(site_key: str, visitor_id: str) -> str:
    return _visitor_user_key[0](site_key, visitor_id) if _visitor_user_key else ""
