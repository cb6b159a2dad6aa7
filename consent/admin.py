from django.contrib import admin

from .models import ConsentPolicy, ConsentRecord, ErasureLog


@admin.register(ConsentPolicy)
class ConsentPolicyAdmin(admin.ModelAdmin):
    list_display = ["version", "material", "summary", "published_at"]


class AppendOnlyAdmin(admin.ModelAdmin):
    """Proof and logs: read in admin, never written or removed there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AppendOnlyAdmin):
    list_display = ["created_at", "visitor_id", "source", "granted", "denied", "policy_version", "site_key"]
    list_filter = ["source", "policy_version"]
    search_fields = ["=visitor_id", "=user_key"]


@admin.register(ErasureLog)
class ErasureLogAdmin(AppendOnlyAdmin):
    list_display = ["created_at", "channel", "requested_by", "erased", "site_key"]
    list_filter = ["channel"]
