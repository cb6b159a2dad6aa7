"""Editors build rules from condition rows in admin, see them in words, and are told which row is wrong and why."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from rules.models import Rule

from .factories import profile_make, rule_make, variant_make

pytestmark = pytest.mark.django_db
ADD = "/admin/rules/rule/add/"


def member(role: str):
    user = get_user_model().objects.create_user(role.replace(" ", "-").lower(), password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(client):
    client.force_login(member("Editor"))
    return client


def rule_form(site, variant, rows, **fields) -> dict:
    data = {"name": "Big spenders", "site": site.pk, "slot": "home_hero", "enabled": "on", "priority": "0",
            "combine": "all", "action": "variant", "variant": variant.pk, "recommendations": "4",
            "cap_period": "session", "rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": "0",
            "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "1000", "control_share": "0.1", "split": "fixed",
            "weight": "1", "metric": "click", "extra_goals": "[]", "attribution_days": "7", "min_sample": "200",
            "arms-TOTAL_FORMS": "0", "arms-INITIAL_FORMS": "0", "arms-MIN_NUM_FORMS": "0",
            "arms-MAX_NUM_FORMS": "1000", **fields}
    for n, row in enumerate(rows):
        for cell, value in row.items():
            data[f"rows-{n}-{cell}"] = value
        data[f"rows-{n}-position"] = str(n)
    return data


def test_an_editor_builds_a_rule_from_rows_and_sees_it_in_words(site, editor):
    variant = variant_make(site, "<p>VIP</p>")
    response = editor.post(ADD, rule_form(site, variant, [
        {"field": "revenue", "op": "gte", "value": "100"},
        {"field": "engaged_on_page", "op": "gt", "value": "3m"},
        {"field": "page_type", "op": "eq", "value": "home", "negate": "on"},
    ]))
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = Rule.objects.get()
    assert rule.conditions == {"all": [{"field": "revenue", "op": "gte", "value": 100},
                                       {"field": "engaged_on_page", "op": "gt", "value": 180},
                                       {"not": {"field": "page_type", "op": "eq", "value": "home"}}]}
    page = editor.get(f"/admin/rules/rule/{rule.pk}/change/").content.decode()
    assert "(revenue at least 100) and (spent more than 3 minutes on this page) and not (page type is home)" in page
    assert '<optgroup label="In the page, now">' in page


@pytest.mark.parametrize(("rows", "message"), [
    ([{"field": "purchases", "op": "gte", "value": "2"}, {"field": "shoe_size", "op": "eq", "value": "9"}],
     "row 2: Unknown field &#x27;shoe_size&#x27;"),
    ([{"field": "segments", "op": "includes", "value": "nope"}], "row 1: &#x27;nope&#x27; is not a choice of segments"),
    ([{"field": "purchases", "op": "contains", "value": "2"}], "row 1"),
    ([{"field": "purchases", "op": "gte", "value": "two"}], "row 1: purchases takes a number"),
    ([{"field": "purchases", "op": "gt", "value": "5"}, {"field": "purchases", "op": "lt", "value": "2"}], "row"),
    ([{"field": "engaged_on_page", "op": "gt", "value": "soon"}], "row 1"),
])
def test_unknown_mistyped_or_contradictory_rows_are_refused_naming_the_row(site, editor, rows, message):
    profile_make(site, segments=("loyal",))
    response = editor.post(ADD, rule_form(site, variant_make(site, "<p>x</p>"), rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rule.objects.exists()


def test_a_rule_without_rows_is_refused_with_what_to_do(site, editor):
    response = editor.post(ADD, rule_form(site, variant_make(site, "<p>x</p>"), [{"field": "", "op": "", "value": ""}]))
    assert "Add at least one row." in response.content.decode()
    assert not Rule.objects.exists()


def test_an_analyst_reads_rules_but_cannot_change_them(site, client):
    rule = rule_make(site, {"all": [{"field": "purchases", "op": "gte", "value": 2}]})
    client.force_login(member("Analyst"))
    assert client.get(f"/admin/rules/rule/{rule.pk}/change/").status_code == 200
    assert "Preview rules" in client.get("/admin/rules/rule/").content.decode()
    assert client.get(ADD).status_code == 403
    assert client.post(f"/admin/rules/rule/{rule.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Rule.objects.filter(pk=rule.pk).exists()


def preview(client, site, **fields):
    return client.get("/admin/rules/rule/preview/", {"site": site.pk, "path": "/", **fields})


def test_the_preview_shows_what_each_slot_would_show_and_why_the_other_rules_did_not(site, editor):
    rule_make(site, {"all": [{"field": "purchases", "op": "gte", "value": 2}]}, html="<p>Loyal hero</p>",
              name="Loyal", priority=5)
    rule_make(site, {"all": [{"field": "page_type", "op": "eq", "value": "product"}]}, html="<p>Product hero</p>",
              name="Products")
    rule_make(site, {"all": [{"field": "clicks_on_page", "op": "gt", "value": 5}]}, slot="offer_banner",
              html="<p>Clicks</p>", name="Clicker")
    page = preview(editor, site, profile="purchases = 3", page_type="home").content.decode()
    assert "Slot home_hero: shows “Loyal”" in page and "<p>Loyal hero</p>" in page
    assert "does not match" in page and "page type is product — home" in page
    assert "shows when the page&#x27;s signals hold" in page
    clicked = preview(editor, site, profile="purchases = 0", signals="clicks_on_page = 6").content.decode()
    assert "Slot home_hero: shows its default" in clicked and "Slot offer_banner: shows “Clicker”" in clicked


def test_a_typed_line_that_cannot_be_read_is_named(site, editor):
    page = preview(editor, site, profile="purchases = many\nshoe size 9").content.decode()
    assert "line 1: purchases takes a number" in page and "line 2: write a field name" in page


def test_only_the_privacy_role_previews_a_real_visitor(site, client):
    rule_make(site, {"all": [{"field": "purchases", "op": "gte", "value": 2}]}, html="<p>Loyal hero</p>", name="Loyal")
    visitor = profile_make(site, goal_counts={"purchase": 4}).origin_visitor_id
    client.force_login(member("Editor"))
    assert preview(client, site, visitor_id=visitor).status_code == 403
    client.force_login(member("Privacy officer"))
    assert client.get("/admin/rules/rule/preview/").status_code == 403  # no rules role: no preview at all
    officer = member("Analyst")
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    client.force_login(officer)
    assert "Slot home_hero: shows “Loyal”" in preview(client, site, visitor_id=visitor).content.decode()


def test_a_seeded_rule_opens_as_rows_and_saves_back_unchanged(site, editor):
    profile_make(site, segments=("loyal",))
    conditions = {"any": [{"field": "engaged_on_page", "op": "between", "value": [60, 180]},
                          {"not": {"field": "segments", "op": "includes_any", "value": ["loyal"]}},
                          {"field": "category_share", "op": "gte", "value": 0.5, "key": "shoes"},
                          {"field": "cart_abandoned", "op": "eq", "value": True}]}
    rule = rule_make(site, conditions, name="Seeded")
    rows = [{"id": row.pk, "rule": rule.pk, "field": row.field, "op": row.op, "value": row.value, "key": row.key,
             **({"negate": "on"} if row.negate else {})} for row in rule.rows.all()]
    data = rule_form(site, rule.variant, rows, name="Seeded", combine=rule.combine)
    data["rows-INITIAL_FORMS"] = str(len(rows))
    response = editor.post(f"/admin/rules/rule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    rule.refresh_from_db()
    assert rule.conditions == conditions


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_an_editor_uploads_an_image_for_a_variant_and_sees_it_in_the_preview(site, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rules.models import ContentVariant

    form = {"name": "Hero", "site": site.pk, "slot": "home_hero", "html": "<p>Hi</p>", "image_url": ""}
    refused = editor.post("/admin/rules/contentvariant/add/",
                          {**form, "image_upload": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")})
    assert "Upload a PNG, JPEG, GIF or WebP image." in refused.content.decode()
    response = editor.post("/admin/rules/contentvariant/add/", {**form, "image_upload": SimpleUploadedFile("x.png", PNG)})
    assert response.status_code == 302
    variant = ContentVariant.objects.get()
    assert variant.image_data.startswith("data:image/png;base64,")
    page = editor.get(f"/admin/rules/contentvariant/{variant.pk}/change/").content.decode()
    assert '<img src="data:image/png;base64,' in page and "<p>Hi</p>" in page


def test_an_editor_tests_a_second_variant_in_a_bandit_from_the_rules_page(site, editor):
    first, second = variant_make(site, "<p>A</p>"), variant_make(site, "<p>B</p>", name="Version B")
    data = rule_form(site, first, [{"field": "revenue", "op": "gte", "value": "100"}], split="bandit",
                     control_share="0.2", **{"arms-TOTAL_FORMS": "1", "arms-0-variant": second.pk,
                                             "arms-0-weight": "1"})
    response = editor.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    rule = Rule.objects.get()
    assert (rule.split, rule.control_share, [arm.variant for arm in rule.arms.all()]) == ("bandit", 0.2, [second])
    page = editor.get(f"/admin/rules/rule/{rule.pk}/change/").content.decode()
    assert "Measurement and experiment" in page and "Version B" in page
    assert f'href="/admin/rules/rule/{rule.pk}/performance/"' in editor.get("/admin/rules/rule/").content.decode()


def test_a_control_share_above_half_is_refused_with_the_limit(site, editor):
    data = rule_form(site, variant_make(site, "<p>A</p>"), [{"field": "revenue", "op": "gte", "value": "1"}],
                     control_share="0.9")
    assert "less than or equal to 0.5" in editor.post(ADD, data).content.decode()
    assert not Rule.objects.exists()


def test_unticking_an_automatically_paused_variant_is_an_undo_automation_respects(site, editor):
    from rules.models import RuleAutomation

    first, second = variant_make(site, "<p>A</p>"), variant_make(site, "<p>B</p>")
    rule = rule_make(site, {"all": [{"field": "revenue", "op": "gte", "value": 1}]}, variant=first, name="Paused")
    arm = rule.arms.create(variant=second, paused=True, paused_reason="Paused: clearly losing")
    RuleAutomation.objects.create(rule=rule, arm=arm, reason="Paused: clearly losing")
    rows = [{"id": row.pk, "rule": rule.pk, "field": row.field, "op": row.op, "value": row.value, "key": row.key}
            for row in rule.rows.all()]
    data = rule_form(site, first, rows, name="Paused", **{
        "rows-INITIAL_FORMS": str(len(rows)), "arms-TOTAL_FORMS": "1", "arms-INITIAL_FORMS": "1",
        "arms-0-id": arm.pk, "arms-0-rule": rule.pk, "arms-0-variant": second.pk, "arms-0-weight": "1"})
    response = editor.post(f"/admin/rules/rule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    arm.refresh_from_db()
    assert not arm.paused and arm.resumed_by_editor
    assert RuleAutomation.objects.get().undone_at is not None


def test_extra_goals_that_are_not_a_list_of_names_are_refused_saying_how_to_write_them(site, editor):
    data = rule_form(site, variant_make(site, "<p>A</p>"), [{"field": "revenue", "op": "gte", "value": "1"}],
                     extra_goals='"purchase"')
    assert "Give a list of event names" in editor.post(ADD, data).content.decode()
    assert not Rule.objects.exists()
