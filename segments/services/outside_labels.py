"""A run's clusters against an analyst's outside labels: read the file, find the people, compare.

Nothing is stored: the result is shown once. The clusters are the run's segments as they are now (the run's
memberships, kept current since by ingest-time assignment), which for the latest run is the run itself.
"""

from dataclasses import dataclass

from personalization.models import Profile, Visitor

from ..label_files import MAX_ERRORS, LabelFile, LabelFileInvalid, label_file_read
from ..models import ClusteringRun, Membership
from ..validation import ExternalValidation, contingency_table, external_validation

LOOKUP_BATCH = 2000


@dataclass(frozen=True)
class LabelValidation:
    """The comparison, and how many of the file's people it covers."""

    validation: ExternalValidation
    rows: int  # people in the file
    compared: int  # of them, in one of the run's clusters
    not_clustered: int  # known on the site but in none of the run's clusters (no consent, too little activity)


def profiles_of(*, site_id: int, labels: LabelFile) -> dict[str, int]:
    """{id in the file: profile id} for the ids the site knows."""
    ids = [row.id for row in labels.rows]
    found: dict[str, int] = {}
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start:start + LOOKUP_BATCH]
        if labels.id_column == "visitor_id":
            pairs = Visitor.objects.filter(site_id=site_id, visitor_id__in=batch).values_list("visitor_id", "profile_id")
        else:
            pairs = Profile.objects.filter(site_id=site_id, user_key__in=batch).values_list("user_key", "pk")
        found.update(pairs)
    return found


def unknown_check(labels: LabelFile, found: dict[str, int]) -> None:
    unknown = [row for row in labels.rows if row.id not in found]
    if unknown:
        named = "; ".join(f"line {row.line}: no {labels.id_column} '{row.id}' on this site"
                          for row in unknown[:MAX_ERRORS])
        more = f" (and {len(unknown) - MAX_ERRORS} more)" if len(unknown) > MAX_ERRORS else ""
        raise LabelFileInvalid(f"{named[0].upper()}{named[1:]}{more}. Remove these lines or check that the ids are "
                               "this site's.")


def cluster_names_of(*, run: ClusteringRun, profile_ids: list[int]) -> dict[int, str]:
    """{profile id: the name of the run's cluster segment the person is in}."""
    segments = {c.segment_id: c.segment.name for c in run.clusters.select_related("segment") if c.segment_id}
    found: dict[int, str] = {}
    for start in range(0, len(profile_ids), LOOKUP_BATCH):
        found.update((profile, segments[segment]) for profile, segment in Membership.objects.filter(
            segment_id__in=segments, profile_id__in=profile_ids[start:start + LOOKUP_BATCH])
            .values_list("profile_id", "segment_id"))
    return found


def run_labels_validate(*, run: ClusteringRun, data: bytes) -> LabelValidation:
    """Compare the run's clusters with the labels of a CSV file; raises LabelFileInvalid naming the lines at fault."""
    labels = label_file_read(data)
    found = profiles_of(site_id=run.config.site_id, labels=labels)
    unknown_check(labels, found)
    cluster_of = cluster_names_of(run=run, profile_ids=sorted(set(found.values())))
    pairs = [(cluster_of[found[row.id]], row.label) for row in labels.rows if found[row.id] in cluster_of]
    if not pairs:
        raise LabelFileInvalid(f"None of the file's {len(labels.rows)} people is in one of this run's clusters "
                               "(they did not consent to personalization or were not active enough): "
                               "upload labels of clustered visitors.")
    validation = external_validation(contingency_table(pairs))
    return LabelValidation(validation, rows=len(labels.rows), compared=len(pairs),
                           not_clustered=len(labels.rows) - len(pairs))

