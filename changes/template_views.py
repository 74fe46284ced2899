"""Standard change pages: the catalogue of templates, a template's page (procedure, risk, history, its changes and
lifecycle buttons), "Raise" in one step, and the create/edit form for managers and the change authority."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from cmdb.models import ConfigurationItem
from core import permissions, ui
from core.services import PermissionDeniedError
from core.ticket_views import form_errors_from
from core.ticket_forms import DATETIME_WIDGET, KeyListField, TicketForm

from . import queries, template_review, templates
from .models import Change, ChangeTemplate

RECENT_CHANGES = 10
HISTORY_SHOWN = 50
CI_HELP = gettext_lazy("Names, separated by commas.")
CI_MISSING = gettext_lazy("No configuration item is named %(keys)s.")


class TemplateForm(TicketForm):
    configuration_items = KeyListField(queryset=ConfigurationItem.objects.all(), key="name", required=False,
                                       label=gettext_lazy("Configuration items"), help_text=CI_HELP,
                                       missing=CI_MISSING)

    class Meta(TicketForm.Meta):
        model = ChangeTemplate
        fields = templates.FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_classes"].widget.attrs["size"] = 5
        self.fields["ci_classes"].help_text = _("A change from this template may touch any configuration item of "
                                                "these classes.")
        if self.instance.pk:
            self.initial["configuration_items"] = ", ".join(
                self.instance.configuration_items.order_by("name").values_list("name", flat=True))
        if self.instance.state in (ChangeTemplate.State.AUTHORISED, ChangeTemplate.State.PUBLISHED):
            for name in templates.PROCEDURE_FIELDS:
                self.fields[name].help_text = _("Changing this sends the template back to proposed: it must be "
                                                "authorised again.")

    def _post_clean(self):  # the model is checked by save_template
        pass

    def values(self):
        return {name: self.cleaned_data[name] for name in templates.FIELDS if name in self.cleaned_data}


class RaiseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    planned_start = forms.DateTimeField(label=gettext_lazy("Planned start"),
                                        widget=forms.DateTimeInput(**DATETIME_WIDGET))
    configuration_items = KeyListField(queryset=ConfigurationItem.objects.none(), key="name", required=False,
                                       label=gettext_lazy("Configuration items"), missing=CI_MISSING)

    def __init__(self, template, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["configuration_items"].queryset = templates.allowed_cis(template)
        self.initial.setdefault("title", template.name)
        self.initial.setdefault("planned_start", timezone.localtime().replace(second=0, microsecond=0))
        names = ", ".join(template.ci_classes.order_by("label").values_list("label", flat=True))
        self.fields["configuration_items"].help_text = (
            _("Names, separated by commas; configuration items of: %(classes)s. Empty: the template's own.") % {
                "classes": names} if names else _("Names, separated by commas. Empty: the template's own."))


class AuthoriseForm(forms.Form):
    review_date = forms.DateField(label=gettext_lazy("Review date"), widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=gettext_lazy("The authorisation lapses after this date."))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review_date", timezone.localdate() + timedelta(days=templates.DEFAULT_REVIEW_DAYS))


def _template(pk):
    return get_object_or_404(ChangeTemplate.objects.select_related(
        "owner", "team", "service", "authorised_by", "catalog_item"), pk=pk)


def _require_manager(request):
    if not permissions.is_change_authority(request.user):
        raise PermissionDenied


@permissions.agent_required
def template_list(request):
    queryset = ChangeTemplate.objects.select_related("owner")
    state = request.GET.get("state", "")
    if state in ChangeTemplate.State.values:
        queryset = queryset.filter(state=state)
    elif not state:
        queryset = queryset.exclude(state=ChangeTemplate.State.RETIRED)
    page = ui.keyset_page(queryset, ("name", "id"), after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    rates = template_review.success_rates([template.pk for template in page.rows])
    today = timezone.localdate()
    rows = [{"template": template, "rate": rates[template.pk],
             "lapsed": bool(template.review_date and template.review_date < today)} for template in page.rows]
    return render(request, "changes/template_list.html", {
        "rows": rows, "page": page, "query": ui.query_without(request, "after", "before"), "state": state,
        "states": ChangeTemplate.State.choices, "can_manage": permissions.is_change_authority(request.user)})


def _detail_context(request, template, raise_form=None, authorise_form=None):
    return {
        "template": template, "rate": template_review.success_rate(template),
        "unusable": templates.unusable_reason(template, timezone.localdate()),
        "actions": templates.allowed_actions(template, request.user),
        "cis": template.configuration_items.select_related("ci_class").order_by("name"),
        "ci_classes": template.ci_classes.order_by("label"),
        "events": template.events.select_related("actor").order_by("-at", "-id")[:HISTORY_SHOWN],
        "changes": Change.objects.filter(template=template).only(
            "pk", "kind", "number", "title", "state", "planned_start", "outcome").order_by("-id")[:RECENT_CHANGES],
        "raise_form": raise_form or RaiseForm(template),
        "authorise_form": authorise_form or AuthoriseForm(),
    }


@permissions.agent_required
def template_detail(request, pk):
    template = _template(pk)
    return render(request, "changes/template_detail.html", _detail_context(request, template))


def _form_page(request, template=None):
    _require_manager(request)
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            saved = templates.save_template(request.user, form.values(), template)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if template and saved.state != template.state:
                messages.warning(request, _("The procedure changed: the template is proposed again and must be "
                                            "authorised before it can be used."))
            else:
                messages.success(request, _("Template saved."))
            return redirect("change_templates:detail", saved.pk)
    return render(request, "changes/template_form.html", {"form": form, "template": template},
                  status=400 if form.errors else 200)


@permissions.agent_required
def template_create(request):
    return _form_page(request)


@permissions.agent_required
def template_edit(request, pk):
    return _form_page(request, _template(pk))


@permissions.agent_required
@require_POST
def raise_change(request, pk):
    """One step: the form on the template page creates the scheduled standard change and opens it."""
    template = _template(pk)
    form = RaiseForm(template, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            change = templates.raise_standard_change(template, request.user, data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Standard change %(number)s is scheduled.") % {"number": change.number})
            return redirect(queries.change_url(change))
    return render(request, "changes/template_detail.html", _detail_context(request, template, raise_form=form),
                  status=400)


def _lifecycle(request, pk, write, success):
    template = _template(pk)
    try:
        write(template)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("change_templates:detail", template.pk)


@permissions.agent_required
@require_POST
def authorise(request, pk):
    template = _template(pk)
    if not permissions.is_change_authority(request.user):
        raise PermissionDenied
    form = AuthoriseForm(request.POST)
    if form.is_valid():
        try:
            templates.authorise(template, request.user, form.cleaned_data["review_date"], form.cleaned_data["note"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Template authorised until %(date)s.") % {
                "date": form.cleaned_data["review_date"].isoformat()})
            return redirect("change_templates:detail", template.pk)
    return render(request, "changes/template_detail.html", _detail_context(request, template, authorise_form=form),
                  status=400)


@permissions.agent_required
@require_POST
def publish(request, pk):
    return _lifecycle(request, pk, lambda t: templates.publish(t, request.user), _("Template published."))


@permissions.agent_required
@require_POST
def retire(request, pk):
    return _lifecycle(request, pk, lambda t: templates.retire(t, request.user), _("Template retired."))
