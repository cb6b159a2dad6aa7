"""Rules with inline condition rows and their plain-language description, content variants with a preview, offers,
and the preview page (which rules match a visitor or typed values, what each slot shows, and why)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from segments.conditions import ConditionInvalid, describe, parse

from .admin_preview import preview_view
from .compiled import site_vocabulary
from .forms import ConditionRowForm, ConditionRowFormSet, ContentVariantForm
from .models import ConditionRow, ContentVariant, Offer, Rule
from .rendering import offer_html, variant_html


class ConditionRowInline(admin.TabularInline):
    model = ConditionRow
    form = ConditionRowForm
    formset = ConditionRowFormSet
    extra = 3
    verbose_name = "condition row"


def rule_description(rule: Rule) -> str:
    """The rule's conditions in words, or what is wrong with them."""
    if not rule.conditions:
        return "No conditions yet: add rows below."
    try:
        return describe(parse(rule.conditions, site_vocabulary(rule.site_id)))
    except ConditionInvalid as invalid:
        return f"Cannot be used until fixed: {invalid}"


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "slot", "action", "priority", "enabled", "description"]
    list_filter = ["site", "slot", "action", "enabled"]
    search_fields = ["name", "slot"]
    readonly_fields = ["description"]
    inlines = [ConditionRowInline]
    fieldsets = [
        (None, {"fields": ["name", "site", "slot", "enabled", "priority", "description"]}),
        ("Conditions", {"fields": ["combine"], "description": "Build the conditions with the rows below."}),
        ("Action", {"fields": ["action", "variant", "offer", "recommendations"]}),
        ("When and how often", {"fields": ["starts_at", "ends_at", "cap_count", "cap_period"]}),
    ]

    @admin.display(description="in words")
    def description(self, rule: Rule) -> str:
        return rule_description(rule) if rule.pk else "Shown once the rule is saved."

    def get_urls(self):
        from django.urls import path

        preview = self.admin_site.admin_view(lambda request: preview_view(request, self))
        return [path("preview/", preview, name="rules_rule_preview"), *super().get_urls()]


@admin.register(ContentVariant)
class ContentVariantAdmin(admin.ModelAdmin):
    list_display = ["name", "slot", "updated_at"]
    list_filter = ["site", "slot"]
    search_fields = ["name"]
    form = ContentVariantForm
    readonly_fields = ["preview"]
    fields = ["name", "site", "slot", "html", "image_url", "image_upload", "image_clear", "preview"]

    @admin.display(description="preview")
    def preview(self, variant: ContentVariant) -> str:
        if not variant.pk:
            return "Shown once the variant is saved."
        return format_html('<div class="attune-preview">{}</div>', mark_safe(variant_html(variant)))  # noqa: S308


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "expires_at", "total_limit", "redeemed", "single_use_per_visitor"]
    list_filter = ["site"]
    search_fields = ["name", "code"]
    readonly_fields = ["redeemed", "preview"]

    @admin.display(description="preview")
    def preview(self, offer: Offer) -> str:
        return offer_html(offer) if offer.pk else "Shown once the offer is saved."
