"""Signals segments sends; rules (and webhooks) subscribe. Receivers only queue work."""

from django.dispatch import Signal

# Sent after commit when people entered or left a segment: segment_id, entered and left (profile ids), reason.
memberships_changed = Signal()
