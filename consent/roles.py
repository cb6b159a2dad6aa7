"""The four roles, as Django groups: Editor (rules and content), Analyst (read-only analytics and segments),
Privacy officer (consent records, data requests) and Administrator (everything).

The groups are created by a migration; their permissions are set again after every `migrate`, so that
models added later (by any app) are covered by the role they belong to."""

from django.conf import settings

VIEW = ("view",)
ALL = ("add", "change", "delete", "view")

# Role -> {"app_label" or "app_label.model": actions}; the most specific entry wins.
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "Editor": {"rules": ALL, "segments": VIEW, "segments.segment": ("add", "change", "view"),
               "personalization.site": VIEW},
    "Analyst": {
        "personalization": VIEW, "segments": VIEW, "rules": VIEW,
        "rules.insightreport": ("add", "view"),  # analysts build the funnel, path and cohort reports they read
        "personalization.failedevent": (),  # rejected payloads are for the privacy officer and administrators
    },
    "Privacy officer": {
        "consent": VIEW, "consent.consentpolicy": ALL, "personalization.visitor": VIEW,
        "personalization.profile": VIEW, "personalization.failedevent": VIEW,
    },
    "Administrator": {"*": ALL},
}
# Permissions that are not add/change/delete/view, by role.
EXTRA = {
    "Privacy officer": ["consent.export_personal_data", "consent.erase_personal_data"],
    "Administrator": ["consent.export_personal_data", "consent.erase_personal_data"],
}


def role_actions(role: str, app_label: str, model: str) -> tuple[str, ...]:
    grants = ROLES[role]
    content = settings.ATTUNE.get("EDITOR_CONTENT_MODELS", [])
    if role == "Editor" and f"{app_label}.{model}" in content:
        return ALL
    for key in (f"{app_label}.{model}", app_label, "*"):
        if key in grants:
            return grants[key]
    return ()


def roles_sync(apps=None) -> None:
    """Give each role's group exactly the permissions the role has (idempotent)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(permission_model.objects.select_related("content_type"))
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for permission in permissions:
            action = permission.codename.split("_", 1)[0]
            label, model = permission.content_type.app_label, permission.content_type.model
            if (action in role_actions(role, label, model) and permission.codename == f"{action}_{model}") or f"{label}.{permission.codename}" in EXTRA.get(role, []):
                wanted.append(permission)
        group.permissions.set(wanted)
