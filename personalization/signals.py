"""Signals personalization sends; downstream apps (segments, rules) subscribe in their receivers.py."""

from django.dispatch import Signal

# Sent after each commit that stored events, once per site: site_id, profile_ids (a frozenset of the profiles whose
# figures changed). Sent by the embedded collector, the drain, the server API and profiles_rebuild alike;
# receivers only queue work.
events_stored = Signal()

# Sent after commit when idle sessions were decided to have ended: session_ids, abandoned_ids.
sessions_ended = Signal()
