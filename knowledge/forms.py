from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incidents.models import Category
from slm.models import Service

from .models import Article, Audience


class ArticleForm(forms.ModelForm):
    """Create and edit; `version` is the version the editor started from (a stale one is a conflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)
    change_note = forms.CharField(label=_("What changed?"), max_length=255, required=False)

    class Meta:
        model = Article
        fields = ["title", "body", "audience", "services", "categories", "review_date"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16}), "review_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"body": _("Markdown: # headings, lists, `code`, [links](https://example.com), tables.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.order_by("name")
        self.fields["categories"].queryset = Category.objects.filter(parent=None).order_by("name")
        self.fields["audience"].initial = Audience.AGENTS
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def service_data(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("change_note", None)
        return data

    def add_service_errors(self, exc: ValidationError):
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)
