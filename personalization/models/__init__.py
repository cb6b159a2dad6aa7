from .drops import DropCounter, DropReason, FailedEvent
from .event import Event
from .session import Session
from .site import Site, new_public_key, new_write_key, write_key_digest
from .visitor import Profile, Visitor

__all__ = [
    "DropCounter",
    "DropReason",
    "Event",
    "FailedEvent",
    "Profile",
    "Session",
    "Site",
    "Visitor",
    "new_public_key",
    "new_write_key",
    "write_key_digest",
]
