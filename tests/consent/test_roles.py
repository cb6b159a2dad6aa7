"""The four roles: groups made by a migration, permissions enforced in admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from personalization.models import Visitor

pytestmark = pytest.mark.django_db


def member(role: str):
    user = get_user_model().objects.create_user(role.replace(" ", "-").lower(), password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("Editor", ["/admin/demo/article/1/change/", "/admin/demo/product/"],
         ["/admin/personalization/event/", "/admin/consent/consentrecord/"]),
        ("Analyst", ["/admin/personalization/event/", "/admin/personalization/profile/"],
         ["/admin/consent/consentrecord/", "/admin/personalization/failedevent/", "/admin/demo/article/1/change/"]),
        ("Privacy officer", ["/admin/consent/consentrecord/", "/admin/consent/erasurelog/", "/admin/consent/consentpolicy/add/"],
         ["/admin/personalization/event/", "/admin/demo/article/"]),
        ("Administrator", ["/admin/personalization/event/", "/admin/consent/consentrecord/", "/admin/auth/user/"], []),
    ],
)
def test_each_role_sees_what_it_is_for_and_nothing_else(client, role, allowed, refused):
    from demo.services import demo_content_load

    demo_content_load()
    client.force_login(member(role))
    for path in allowed:
        assert client.get(path).status_code == 200, f"{role} should reach {path}"
    for path in refused:
        assert client.get(path).status_code == 403, f"{role} must not reach {path}"


def test_only_roles_with_the_right_can_export_or_erase_from_admin(client, site):
    from personalization.models import Profile

    profile = Profile.objects.create(site=site, origin_visitor_id="visitor-admin-1")
    Visitor.objects.create(site=site, visitor_id="visitor-admin-1", profile=profile)
    client.force_login(member("Analyst"))
    analyst_page = client.get("/admin/personalization/visitor/").content.decode()
    assert "erase_personal_data" not in analyst_page
    client.force_login(member("Privacy officer"))
    officer_page = client.get("/admin/personalization/visitor/").content.decode()
    assert "erase_personal_data" in officer_page and "export_personal_data" in officer_page
    response = client.post("/admin/personalization/visitor/", {
        "action": "erase_personal_data", "_selected_action": [Visitor.objects.get().pk]})
    assert response.status_code == 302
    assert not Visitor.objects.exists()
