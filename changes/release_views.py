"""Release pages (light): the list, a release's page with its changes and CIs, the form and the deploy button for
managers and the change authority."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from cmdb.models import ConfigurationItem
from core import permissions, ui
from core.services import PermissionDeniedError
from core.ticket_views import form_errors_from
from core.ticket_forms import KeyListField, TicketForm

from . import releases
from .models import Change, Release
from .template_views import CI_HELP, CI_MISSING


class ReleaseForm(TicketForm):
    configuration_items = KeyListField(queryset=ConfigurationItem.objects.all(), key="name", required=False,
                                       label=gettext_lazy("Configuration items"), help_text=CI_HELP,
                                       missing=CI_MISSING)
    changes = KeyListField(queryset=Change.objects.all(), key="number", upper=True, required=False,
                           label=gettext_lazy("Changes"),
                           help_text=gettext_lazy("Change numbers, separated by commas."),
                           missing=gettext_lazy("No change is numbered %(keys)s."))

    class Meta(TicketForm.Meta):
        model = Release
        fields = ("name", "version", "description", "planned_date", "services")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].widget.attrs["size"] = 5
        if self.instance.pk:
            self.initial["configuration_items"] = ", ".join(
                self.instance.configuration_items.order_by("name").values_list("name", flat=True))
            self.initial["changes"] = ", ".join(self.instance.changes.order_by("id").values_list("number", flat=True))

    def _post_clean(self):  # the model is checked by releases.save_release
        pass


@permissions.agent_required
def release_list(request):
    page = ui.keyset_page(Release.objects.all(), ("-id",), after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    return render(request, "changes/release_list.html", {
        "page": page, "query": ui.query_without(request, "after", "before"),
        "can_manage": permissions.is_change_authority(request.user)})


@permissions.agent_required
def release_detail(request, pk):
    release = get_object_or_404(Release, pk=pk)
    return render(request, "changes/release_detail.html", {
        "release": release, "can_manage": permissions.is_change_authority(request.user),
        "cis": release.configuration_items.select_related("ci_class").order_by("name"),
        "services": release.services.order_by("name"),
        "changes": release.changes.only("pk", "kind", "number", "title", "state", "planned_start").order_by("id")})


def _form_page(request, release=None):
    if not permissions.is_change_authority(request.user):
        raise PermissionDenied
    form = ReleaseForm(request.POST or None, instance=release)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in releases.FIELDS if name in form.cleaned_data}
        try:
            saved = releases.save_release(request.user, data, release)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Release saved."))
            return redirect("releases:detail", saved.pk)
    return render(request, "changes/release_form.html", {"form": form, "release": release},
                  status=400 if form.errors else 200)


@permissions.agent_required
def release_create(request):
    return _form_page(request)


@permissions.agent_required
def release_edit(request, pk):
    return _form_page(request, get_object_or_404(Release, pk=pk))


@permissions.agent_required
@require_POST
def deploy(request, pk):
    release = get_object_or_404(Release, pk=pk)
    try:
        releases.deploy(release, request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Release deployed: version %(version)s is recorded on its configuration "
                                    "items.") % {"version": release.version})
    return redirect("releases:detail", release.pk)
