"""Create and edit, with the version-conflict screen (the user's input is kept, the differences shown)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core import permissions
from core import services as core_services
from core.models import Channel
from core.ticket_forms import edit_form_class, ticket_form_class

from .base import TicketView, form_errors_from


class TicketFormMixin:
    initial = {"channel": Channel.PHONE}

    def get_form_class(self):
        registry = self.ticket_kind
        return registry.form_class or ticket_form_class(registry.model, registry.form_fields)

    def get_edit_form_class(self):
        return edit_form_class(self.get_form_class())

    def clean_data(self, form):
        return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


class TicketCreateView(LoginRequiredMixin, TicketFormMixin, TicketView):
    def get(self, request):
        self.require_agent()
        return self.render_form(self.get_form_class()(initial=self.initial))

    def post(self, request):
        self.require_agent()
        form = self.get_form_class()(request.POST, initial=self.initial)
        if form.is_valid():
            try:
                ticket = self.create_service(self.clean_data(form))
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("%(kind)s %(number)s was created.") % {
                    "kind": self.kind_context()["kind_label"], "number": ticket.number})
                return redirect(self.ticket_kind.url("detail", ticket.pk))
        return self.render_form(form)

    def render_form(self, form, **context):
        return self.render_kind("form.html", {"form": form, **context}, status=400 if form.errors else 200)


class TicketEditView(LoginRequiredMixin, TicketFormMixin, TicketView):
    def get(self, request, pk):
        ticket = self.get_ticket(pk)
        self.check_edit(ticket)
        return self.render_form(ticket, self.get_edit_form_class()(instance=self.fresh(pk)))

    def post(self, request, pk):
        ticket = self.get_ticket(pk)
        self.check_edit(ticket)
        form = self.get_edit_form_class()(request.POST, instance=self.fresh(pk))
        conflict = None
        if form.is_valid():
            try:
                self.update_service(ticket, form.changed_values(), expected_version=form.cleaned_data["version"])
            except core_services.ConflictError as exc:
                conflict = self.conflict(form, pk, exc.current_version)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("%(kind)s %(number)s was saved.") % {
                    "kind": self.kind_context()["kind_label"], "number": ticket.number})
                return redirect(self.ticket_kind.url("detail", pk))
        status = 409 if conflict else 400 if form.errors else 200
        return self.render_form(ticket, form, conflict=conflict, status=status)

    def check_edit(self, ticket):
        if not permissions.can_edit(self.request.user, ticket):
            raise PermissionDenied

    def fresh(self, pk):
        return self.ticket_kind.model.objects.get(pk=pk)

    def render_form(self, ticket, form, conflict=None, status=200):
        return self.render_kind("form.html", {"form": form, "ticket": ticket, "conflict": conflict},
                                status=status)

    def conflict(self, form, pk, current_version):
        """What someone else saved meanwhile: each field where the stored value differs from the user's input.
        The user's input is kept; the form now carries the current version so saving again applies it."""
        current = self.fresh(pk)
        stored = self.get_form_class()(instance=current)
        differences = []
        for name in form.Meta.fields:
            if stored.fields[name].has_changed(stored.initial.get(name), form[name].data):
                differences.append({"label": form.fields[name].label, "mine": _shown(form, name),
                                    "theirs": _stored_value(current, name)})
        data = form.data.copy()
        data["version"] = current_version
        form.data = data
        return {"differences": differences, "version": current_version}


def _shown(form, name):
    value = form.cleaned_data.get(name)
    choices = getattr(form.fields[name], "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        value = dict((str(k), v) for k, v in choices).get(str(value), value)
    return _plain(value)


def _stored_value(ticket, name):
    display = getattr(ticket, f"get_{name}_display", None)
    return _plain(display() if display else getattr(ticket, name))


def _plain(value):
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.username
    if hasattr(value, "number"):
        return value.number
    return "—" if value in (None, "") else value
