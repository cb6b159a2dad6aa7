"""Consent as it stands when a batch is stored: a batch collected under a token that a later choice of the visitor's
replaced keeps only what that later choice still grants.

A withdrawal issues a new token, but the old one stays genuine until it expires; a client that goes on sending it
must not go on storing what was withdrawn. Checked here, once per stored chunk of batches, rather than in the
collector for every batch: the collector's own work is untouched. Only batches whose token predates the site's
latest withdrawal (remembered for a second, forgotten at once by the process that records one) cost a query: one
indexed query per chunk and site."""

from collections import defaultdict

from consent.categories import required_keys
from consent.selectors import choices_latest_after, withdrawal_latest_id

from ..collect.batch import CollectedBatch
from ..collect.schema import event_allowed
from ..models import DropReason


def batches_consent_current(batches: list[CollectedBatch]) -> None:
    """Drop (and count as no_consent) the events of batches whose visitor chose again after the token they were
    collected under, when that later choice no longer allows them; the batch's consent becomes the narrower one."""
    by_site: dict[str, list[CollectedBatch]] = defaultdict(list)
    for batch in batches:
        if batch.consent_record and batch.events:
            by_site[batch.site_key].append(batch)
    for site_key in list(by_site):
        # Only a withdrawal can leave a later choice granting less than a token: none since the oldest token here,
        # nothing to look up (the site's latest withdrawal is remembered for a second).
        if min(batch.consent_record for batch in by_site[site_key]) > withdrawal_latest_id(site_key=site_key):
            del by_site[site_key]
    for site_key, site_batches in by_site.items():
        later = choices_latest_after(site_key=site_key, visitor_ids={batch.visitor_id for batch in site_batches},
                                     after_record_id=min(batch.consent_record for batch in site_batches))
        for batch in site_batches:
            record_id, granted = later.get(batch.visitor_id, (0, frozenset()))
            if record_id > batch.consent_record:
                batch_consent_narrow(batch, granted)


def batch_consent_narrow(batch: CollectedBatch, later_granted: frozenset[str]) -> None:
    """Keep only the events both the batch's consent and the later choice allow."""
    granted = (frozenset(batch.consent.split(",")) & later_granted) | required_keys()
    kept = [event for event in batch.events if event_allowed(event, granted)]
    batch.count_drop(DropReason.NO_CONSENT.value, len(batch.events) - len(kept))
    batch.events, batch.consent = kept, ",".join(sorted(granted))
