"""Clustering configurations and runs, the clusters a run found, segments and who is in them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from personalization.models import Profile, Site

from .features import DEFAULT_CLUSTERING_FEATURES


def default_features() -> list[str]:
    return list(DEFAULT_CLUSTERING_FEATURES)


class ClusteringConfig(models.Model):
    """What to cluster: which features, which visitors, how many clusters, how often."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    features = models.JSONField(default=default_features, help_text="Feature names (segments/features.py).")
    min_pageviews = models.PositiveIntegerField(default=2, help_text="Visitors with fewer page views are left out.")
    window_days = models.PositiveIntegerField(
        default=90, help_text="Only visitors active in this many days before the run (0: all).")
    k_min = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(2)])
    k_max = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(30)])
    k_fixed = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A fixed number of clusters; empty chooses it by the elbow method.")
    pca_components = models.FloatField(
        null=True, blank=True, help_text="PCA before clustering: a number of components, or a share of variance "
        "to keep (0-1); empty: no PCA.")
    sample_size = models.PositiveIntegerField(default=20_000, help_text="Visitors sampled to choose k.")
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="clustering_config_unique")]

    def __str__(self) -> str:
        return self.name


class ClusteringRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    config = models.ForeignKey(ClusteringConfig, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the run is doing now.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    requested_k = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    feature_names = models.JSONField(default=list)
    population = models.PositiveIntegerField(default=0)
    sample_size = models.PositiveIntegerField(default=0)
    k = models.PositiveSmallIntegerField(null=True, blank=True)
    k_reason = models.CharField(max_length=300, blank=True)
    silhouette = models.FloatField(null=True, blank=True)
    davies_bouldin = models.FloatField(null=True, blank=True)
    calinski_harabasz = models.FloatField(null=True, blank=True)
    stability_ari = models.FloatField(null=True, blank=True, help_text="Mean adjusted Rand index between reruns.")
    pca_variance_kept = models.FloatField(null=True, blank=True)
    curves = models.JSONField(default=dict, help_text="Inertia (elbow) and silhouette per k.")
    dendrogram = models.JSONField(default=dict)
    scatter = models.JSONField(default=dict, help_text="A sample in two PCA dimensions, coloured by cluster.")
    transform = models.JSONField(default=dict, help_text="The fitted preprocessing, to place new visitors.")
    centroids = models.JSONField(default=list, help_text="Cluster centres in the preprocessed space.")
    timings = models.JSONField(default=dict, help_text="Seconds per stage.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.config}"


class Segment(models.Model):
    """A named set of visitors: from conditions over features and figures, or from a cluster of a configuration."""

    class Kind(models.TextChoices):
        RULE = "rule", "Rule-based"
        CLUSTER = "cluster", "Cluster"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField(blank=True)
    conditions = models.JSONField(default=dict, blank=True, help_text="Rule-based: the condition (segments/conditions).")
    config = models.ForeignKey(ClusteringConfig, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="segments")
    suggested_name = models.CharField(max_length=200, blank=True, help_text="From the cluster's distinguishing features.")
    retired = models.BooleanField(default=False, help_text="A cluster no later run found again.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "slug"], name="segment_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Cluster(models.Model):
    """One cluster of a run, with its profile; it feeds a segment (matched to the previous run's, or new)."""

    run = models.ForeignKey(ClusteringRun, on_delete=models.CASCADE, related_name="clusters")
    index = models.PositiveSmallIntegerField()
    segment = models.ForeignKey(Segment, on_delete=models.SET_NULL, null=True, related_name="clusters")
    is_new = models.BooleanField(default=False)
    size = models.PositiveIntegerField(default=0)
    share = models.FloatField(default=0)
    means = models.JSONField(default=dict)
    z_scores = models.JSONField(default=dict)
    top_features = models.JSONField(default=list)
    suggested_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="cluster_index_unique")]

    def __str__(self) -> str:
        return f"cluster {self.index} of run {self.run_id}"


class Membership(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "profile"], name="membership_unique")]
        indexes = [models.Index(fields=["profile"], name="membership_profile")]

    def __str__(self) -> str:
        return f"profile {self.profile_id} in {self.segment_id}"


class MembershipChange(models.Model):
    """History: a person entered or left a segment, when and why. Append-only like the events table, so without
    foreign keys in the database: a full clustering run writes a row per person, and PostgreSQL checking a million
    pairs of keys at commit took 13 s of a 42 s run. Django still deletes a segment's or a person's history with
    them, and erasure deletes a person's (the registry's test walks it)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="changes", db_constraint=False)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                db_index=False)  # membership_change_profile (profile, -at) serves its lookups
    entered = models.BooleanField()
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["profile", "-at"], name="membership_change_profile")]

    def __str__(self) -> str:
        return f"profile {self.profile_id} {'entered' if self.entered else 'left'} {self.segment_id}"


from .models_webhooks import Webhook, WebhookDelivery  # noqa: E402, F401 - kept in their own module, found here
