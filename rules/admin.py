"""Rules with inline condition rows and their plain-language description, content variants with a preview, offers,
and the preview page (which rules match a visitor or typed values, what each slot shows, and why)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from segments.conditions import ConditionInvalid, describe, parse

from .admin_board import arm_resume_view, board_view, rule_board_view
from .admin_preview import preview_view
from .compiled import site_vocabulary
from .forms import ConditionRowForm, ConditionRowFormSet, ContentVariantForm
from .models import ConditionRow, ContentVariant, Offer, Rule, RuleArm
from .rendering import offer_html, variant_html
from .services import rule_arm_resume


class RuleArmInline(admin.TabularInline):
    model = RuleArm
    extra = 0
    fields = ["variant", "weight", "paused", "paused_reason", "resumed_by_editor"]
    readonly_fields = ["paused_reason", "resumed_by_editor"]
    verbose_name_plural = "variants under test (the rule's own content is the first arm)"


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
    list_display = ["name", "slot", "action", "priority", "enabled", "description", "performance"]
    list_filter = ["site", "slot", "action", "enabled"]
    search_fields = ["name", "slot"]
    readonly_fields = ["description"]
    inlines = [ConditionRowInline, RuleArmInline]
    fieldsets = [
        (None, {"fields": ["name", "site", "slot", "enabled", "priority", "description"]}),
        ("Conditions", {"fields": ["combine"], "description": "Build the conditions with the rows below."}),
        ("Action", {"fields": ["action", "variant", "offer", "recommendations"]}),
        ("When and how often", {"fields": ["starts_at", "ends_at", "cap_count", "cap_period"]}),
        ("Measurement and experiment", {
            "fields": ["control_share", "metric", "extra_goals", "attribution_days", "split", "weight", "min_sample",
                       "auto_pause"],
            "description": "Every rule is measured against a control group that sees the default content. Add "
                           "variants below to test them against the rule's own content."}),
    ]

    @admin.display(description="in words")
    def description(self, rule: Rule) -> str:
        return rule_description(rule) if rule.pk else "Shown once the rule is saved."

    @admin.display(description="results")
    def performance(self, rule: Rule) -> str:
        return format_html('<a href="{}">performance</a>', reverse("admin:rules_rule_board", args=[rule.pk]))

    def save_formset(self, request, form, formset, change):
        """Unticking an automatically paused variant is an editor's undo: automation leaves it be from then on."""
        resumed = [arm_form.instance for arm_form in formset.forms if formset.model is RuleArm
                   and arm_form.instance.pk and "paused" in arm_form.changed_data and not arm_form.instance.paused]
        super().save_formset(request, form, formset, change)
        for arm in resumed:
            rule_arm_resume(arm=arm)

    def get_urls(self):
        from django.urls import path

        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(lambda request: preview_view(request, self)), name="rules_rule_preview"),
            path("performance/", wrap(lambda request: board_view(request, self)), name="rules_rule_performance"),
            path("<int:rule_id>/performance/", wrap(lambda request, rule_id: rule_board_view(request, self, rule_id)),
                 name="rules_rule_board"),
            path("arms/<int:arm_id>/resume/", wrap(lambda request, arm_id: arm_resume_view(request, self, arm_id)),
                 name="rules_rule_arm_resume"),
            *super().get_urls(),
        ]


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


from . import admin_overview  # noqa: E402, F401 - its admin pages
from .admin_insight import InsightReportAdmin  # noqa: E402, F401 - its admin pages
