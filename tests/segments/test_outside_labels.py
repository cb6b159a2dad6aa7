"""An analyst compares a run's clusters with labels from outside (here the simulator's archetypes) in admin."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from demo.models import SimulatedVisitor
from personalization.models import Profile, Visitor
from segments.label_files import MAX_BYTES, LabelFileInvalid
from segments.models import Membership
from segments.services.outside_labels import run_labels_validate

from .finished_run import finished_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]


@pytest.fixture
def run():
    return finished_run(k=4)


def archetype_file(run) -> tuple[bytes, list[tuple[str, str]]]:
    """Every simulated visitor with their archetype; and (cluster, archetype) of those in the run's clusters."""
    cluster_of = dict(Membership.objects.filter(segment__config=run.config).values_list("profile_id", "segment__name"))
    profile_of = dict(Visitor.objects.values_list("visitor_id", "profile_id"))
    truth = list(SimulatedVisitor.objects.filter(visitor_id__in=profile_of).values_list("visitor_id", "archetype"))
    lines = ["visitor_id,label", *(f"{visitor},{archetype}" for visitor, archetype in truth)]
    pairs = [(cluster_of[profile_of[v]], a) for v, a in truth if profile_of[v] in cluster_of]
    return "\n".join(lines).encode(), pairs


def test_agreement_with_outside_labels_equals_scikit_learns(run):
    data, pairs = archetype_file(run)
    result = run_labels_validate(run=run, data=data)
    clusters, labels = [c for c, _ in pairs], [a for _, a in pairs]
    assert result.compared == len(pairs) and result.rows == data.count(b"\n")
    assert result.not_clustered == result.rows - result.compared > 0  # those who did not consent are left out
    assert result.validation.adjusted_rand == pytest.approx(adjusted_rand_score(labels, clusters), abs=1e-12)
    assert result.validation.normalized_mutual_information == pytest.approx(
        normalized_mutual_info_score(labels, clusters), abs=1e-12)
    assert sum(map(sum, result.validation.table.counts)) == len(pairs)


def test_the_admin_page_shows_the_table_and_both_scores(admin_client, run):
    data, pairs = archetype_file(run)
    response = admin_client.post(f"/admin/segments/clusteringrun/{run.pk}/labels/",
                                 {"file": SimpleUploadedFile("labels.csv", data, content_type="text/csv")})
    html = response.content.decode()
    ari = re.search(r'<td id="ari">([^<]+)</td>', html).group(1)
    assert float(ari) == pytest.approx(adjusted_rand_score([a for _, a in pairs], [c for c, _ in pairs]), abs=1e-4)
    assert 'id="nmi"' in html and 'id="contingency"' in html
    for archetype in {a for _, a in pairs}:
        assert f'<th scope="col">{archetype}</th>' in html


def test_users_are_found_by_their_user_id(run):
    member = Membership.objects.filter(segment__config=run.config).select_related("profile").first()
    Profile.objects.filter(pk=member.profile_id).update(user_key="user-42")
    result = run_labels_validate(run=run, data=b"user_id,label\nuser-42,vip\n")
    assert result.compared == 1 and result.validation.table.outside == ("vip",)


def test_ids_the_site_does_not_know_are_named_with_their_lines(run):
    known = Visitor.objects.values_list("visitor_id", flat=True).first()
    data = f"visitor_id,label\n{known},a\nghost-1,b\n{known}x,a\n".encode()
    with pytest.raises(LabelFileInvalid, match=rf"Line 3: no visitor_id 'ghost-1' on this site; line 4: no visitor_id "
                                               rf"'{known}x' on this site. Remove these lines"):
        run_labels_validate(run=run, data=data)


@pytest.mark.parametrize(("data", "message"), [
    (b"id;label\nv1;a\n", "Line 1: the header must be &#x27;visitor_id,label&#x27; or &#x27;user_id,label&#x27;"),
    (b"visitor_id,label\nv1,a\nv2,caf\xe9\n", "Line 3 is not UTF-8 text (byte 0xe9)"),
    (b"visitor_id,label\n" + b"v,a\n" * (MAX_BYTES // 4 + 1), "The file is 50.0 MB; the limit is 50 MB"),
])
def test_a_bad_upload_says_what_is_wrong_and_where_and_shows_no_scores(admin_client, run, data, message):
    response = admin_client.post(f"/admin/segments/clusteringrun/{run.pk}/labels/",
                                 {"file": SimpleUploadedFile("labels.csv", data, content_type="text/csv")})
    html = response.content.decode()
    assert response.status_code == 200 and message in html and 'id="ari"' not in html
