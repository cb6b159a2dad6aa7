"""Signals personalization sends; downstream apps (segments, rules) subscribe in their receivers.py."""

from django.dispatch import Signal

# Sent after commit when events were stored: site_id, visitor_ids (a list of pseudonymous ids).
events_stored = Signal()

# Sent after commit when idle sessions were decided to have ended: session_ids, abandoned_ids.
sessions_ended = Signal()
