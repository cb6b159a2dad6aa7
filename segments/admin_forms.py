"""Admin forms of segments: features chosen from the registry, conditions checked row by row, a label file."""

from django import forms
from django.utils.html import format_html

from .conditions import validate
from .features import FEATURES
from .label_files import MAX_BYTES
from .models import ClusteringConfig, Segment
from .vocabulary import profile_vocabulary


def feature_choices() -> list[tuple[str, str]]:
    return [(f.name, format_html("<b>{}</b> — {}", f.name, f.description)) for f in FEATURES]


class ClusteringConfigForm(forms.ModelForm):
    features = forms.MultipleChoiceField(choices=feature_choices, widget=forms.CheckboxSelectMultiple,
                                         help_text="What clustering compares visitors by.")

    class Meta:
        model = ClusteringConfig
        fields = ["site", "name", "enabled", "features", "min_pageviews", "window_days", "k_min", "k_max", "k_fixed",
                  "pca_components", "sample_size"]

    def clean(self):
        data = super().clean()
        k_min, k_max = data.get("k_min"), data.get("k_max")
        if k_min and k_max and k_min > k_max:
            self.add_error("k_max", "The largest k must be at least the smallest.")
        return data


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["site", "name", "slug", "kind", "description", "conditions", "config", "suggested_name", "retired"]

    def clean_conditions(self):
        conditions = self.cleaned_data.get("conditions")
        if self.instance.kind == Segment.Kind.CLUSTER or self.cleaned_data.get("kind") == Segment.Kind.CLUSTER:
            return conditions
        if not conditions:
            raise forms.ValidationError("A rule-based segment needs a condition, e.g. "
                                        '{"all": [{"field": "purchases", "op": "gte", "value": 5}]}.')
        errors = validate(conditions, profile_vocabulary())
        if errors:
            raise forms.ValidationError([str(error) for error in errors])
        return conditions


class LabelFileForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text=format_html(
        "UTF-8, a header <code>visitor_id,label</code> or <code>user_id,label</code>, one person a line, "
        "at most {} MB.", MAX_BYTES // 1024 // 1024))
