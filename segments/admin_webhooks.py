"""Admin for segment webhooks and their delivery log. Registered from SegmentsConfig.ready().

A webhook's secret is shown once, when it is made (or replaced), and never again; everything user-supplied is
rendered through the admin's own escaping."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from .models_webhooks import Webhook, WebhookDelivery
from .services.webhooks import webhook_secret_rotate
from .services.webhooks_queue import webhook_deliveries_retry


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", help_text=Webhook._meta.get_field("url").help_text)

    class Meta:
        model = Webhook
        fields = ["site", "name", "url", "segments", "on_enter", "on_leave", "enabled"]

    def clean(self):
        data = super().clean()
        site, segments = data.get("site"), data.get("segments")
        if site and segments and any(segment.site_id != site.pk for segment in segments):
            others = ", ".join(segment.name for segment in segments if segment.site_id != site.pk)
            raise forms.ValidationError({"segments": f"{others}: not a segment of {site}; choose the webhook's "
                                                     "site's segments, or none for all of them."})
        return data


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "site", "url", "on_enter", "on_leave", "enabled", "created_at"]
    list_filter = ["site", "enabled"]
    fields = ["site", "name", "url", "segments", "on_enter", "on_leave", "enabled", "signing"]
    readonly_fields = ["signing"]
    filter_horizontal = ["segments"]
    actions = ["rotate_secret"]

    @admin.display(description="Signing")
    def signing(self, webhook: Webhook) -> str:
        return ("HMAC-SHA256 over `timestamp.body`, sent as X-Attune-Signature (docs/webhooks.md). The secret was "
                "shown once; replace it with the action on the list if it is lost.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(request, f"Signing secret for {obj.name} (shown once, keep it with the receiver): "
                              f"{obj.secret}", messages.WARNING)

    @admin.action(description="Replace the signing secret (shows the new one once)")
    def rotate_secret(self, request, queryset):
        for webhook in queryset:
            secret = webhook_secret_rotate(webhook=webhook)
            self.message_user(request, f"New signing secret for {webhook.name}: {secret}", messages.WARNING)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "webhook", "segment", "event", "status", "attempts", "response_code",
                    "last_error_short", "delivered_at", "next_attempt_at"]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["=uid", "segment__name", "webhook__name"]
    list_select_related = ["webhook", "segment"]
    fields = ["uid", "webhook", "segment", "profile", "event", "status", "attempts", "response_code", "last_error",
              "next_attempt_at", "delivered_at", "created_at", "payload_pretty"]
    readonly_fields = fields
    actions = ["send_again"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Last error")
    def last_error_short(self, delivery: WebhookDelivery) -> str:
        return delivery.last_error[:80]

    @admin.display(description="Payload")
    def payload_pretty(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, sort_keys=True))

    @admin.action(description="Send the failed ones again")
    def send_again(self, request, queryset):
        queued = webhook_deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{queued} failed deliveries are queued to be sent once more; "
                          "delivered and pending ones are left as they are.")
