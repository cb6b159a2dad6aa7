from django import forms
from django.utils.translation import gettext_lazy as _

from .categories import categories


class ConsentChoiceForm(forms.Form):
    """The no-JavaScript consent form: one checkbox per category that can be refused."""

    choice = forms.ChoiceField(choices=[("accept", _("Accept all")), ("reject", _("Reject all")),
                                        ("save", _("Save my choices"))], required=False)
    category = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.key, c.label) for c in categories() if not c.required]

    def granted(self) -> list[str]:
        choice = self.cleaned_data.get("choice") or "save"
        if choice == "accept":
            return [c.key for c in categories()]
        if choice == "reject":
            return []
        return list(self.cleaned_data.get("category") or [])
