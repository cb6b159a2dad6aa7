"""Admin forms: a rule's condition rows (field picker, operator, value), checked together with parse_rows."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from segments.conditions import OPERATORS, ConditionInvalid, parse_rows, to_json

from .compiled import site_vocabulary
from .images import MAX_IMAGE_BYTES, ImageRefused, image_data_url
from .models import ConditionRow, ContentVariant
from .vocabulary import CART_FIELDS, PAGE_FIELDS, SEGMENTS_FIELD, SIGNAL_FIELDS, rule_vocabulary

ROW_CELLS = ("field", "op", "value", "key", "negate")


def field_choices() -> list[tuple[str, object]]:
    """The picker's fields grouped as editors think of them: the profile, the page, in the page, cart, segments."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for field in rule_vocabulary():
        groups.setdefault(field_group(field.name), []).append((field.name, f"{field.label} ({field.name})"))
    return [("", "---------"), *groups.items()]


def field_group(name: str) -> str:
    for title, fields in (("The page", PAGE_FIELDS), ("In the page, now", SIGNAL_FIELDS), ("Cart", CART_FIELDS)):
        if any(field.name == name for field in fields):
            return title
    if name.startswith("cart_"):  # the cart's figures are declared with the profile's
        return "Cart"
    return "Segments" if name == SEGMENTS_FIELD else "The visitor's profile"


def operator_choices() -> list[tuple[str, str]]:
    return [("", "---------"), *((name, operator.label) for name, operator in OPERATORS.items())]


class ConditionRowForm(forms.ModelForm):
    # Pickers that accept any text: parse_rows then names the row of a field or operator that does not fit.
    field = forms.CharField(required=False, max_length=64, widget=forms.Select(choices=field_choices))
    op = forms.CharField(label="operator", required=False, max_length=20, widget=forms.Select(choices=operator_choices))
    value = forms.CharField(required=False, max_length=500,
                            help_text="3m, 90s; 5; yes / no; a, b for lists; 2 and 5 for between; 7 for days.")

    class Meta:
        model = ConditionRow
        fields = ("negate", "field", "op", "value", "key", "position")


class ConditionRowFormSet(BaseInlineFormSet):
    """Reads every row together (parse_rows) so that errors name the row and the rule stores the checked JSON."""

    def clean(self) -> None:
        super().clean()
        rule = self.instance
        if any(form.errors for form in self.forms) or rule.site_id is None:
            return
        rows = [self.row_of(form) for form in self.forms]
        try:
            condition = parse_rows(rows, site_vocabulary(rule.site_id), combine=rule.combine or "all")
        except ConditionInvalid as invalid:
            raise ValidationError([str(error) for error in invalid.errors]) from None
        rule.conditions = to_json(condition)

    def row_of(self, form) -> dict[str, object]:
        if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
            return {}  # keeps its number, so messages name the rows as shown
        return {cell: form.cleaned_data.get(cell) for cell in ROW_CELLS}


class PreviewForm(forms.Form):
    """Who and where to preview: a real visitor (privacy role only) or typed values, and the page."""

    site = forms.TypedChoiceField(coerce=int)
    visitor_id = forms.CharField(required=False, max_length=64,
                                 help_text="A visitor's id (privacy officers and administrators only).")
    profile = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="One per line: purchases = 3, segments = loyal-customers, "
                                        "category_share[shoes] = 0.4, cart_abandoned = yes.")
    path = forms.CharField(initial="/", max_length=300)
    page_type = forms.CharField(required=False, max_length=50)
    category = forms.CharField(required=False, max_length=100)
    referrer = forms.CharField(required=False, max_length=300)
    query = forms.CharField(required=False, max_length=300, help_text="utm_source=mail&utm_campaign=spring")
    device_type = forms.ChoiceField(required=False, choices=[("", "---------"), ("desktop", "desktop"),
                                                             ("mobile", "mobile"), ("tablet", "tablet")])
    signals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="In-page signals, one per line: clicks_on_page = 6, engaged_on_page = 3m. "
                                        "Signals left out wait for the page.")

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(site.pk, site.name) for site in sites]


class ContentVariantForm(forms.ModelForm):
    """A variant, with an optional image upload kept as a data: URL (rules/images.py)."""

    image_url = forms.URLField(required=False, assume_scheme="https", max_length=200,
                               help_text="An image shown above the content (https://...).")
    image_upload = forms.FileField(required=False, help_text="Or upload a small image (PNG, JPEG, GIF, WebP).")
    image_clear = forms.BooleanField(required=False, label="Remove the uploaded image")

    class Meta:
        model = ContentVariant
        fields = ("name", "site", "slot", "html", "image_url")

    def clean_image_upload(self):
        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return ""
        try:
            return image_data_url(upload.read(MAX_IMAGE_BYTES + 1))
        except ImageRefused as refused:
            raise ValidationError(str(refused)) from None

    def save(self, commit=True):
        if self.cleaned_data.get("image_clear"):
            self.instance.image_data = ""
        if self.cleaned_data.get("image_upload"):
            self.instance.image_data = self.cleaned_data["image_upload"]
        return super().save(commit)
