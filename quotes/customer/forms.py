"""The customer's answer: accept (name, title, the terms ticked) or decline (a reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    title = forms.CharField(label=_("Titel"), max_length=200, help_text=_("T.ex. vd, inköpschef"))
    accept_terms = forms.BooleanField(
        label=_("Jag har läst och godkänner villkoren"),
        error_messages={"required": _("Bekräfta att du har läst och godkänner villkoren.")},
    )
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_title(self):
        return self.cleaned_data["title"].strip()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Anledning"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Berätta gärna varför, så kan säljaren återkomma med ett bättre förslag."),
        error_messages={"required": _("Skriv en kort anledning.")},
    )
