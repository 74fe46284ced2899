"""What every generic ticket view shares: the kind it serves, its querysets, templates and URL names."""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.views import View

from core import hooks, permissions
from core import services as core_services

URL_NAMES = ("list", "create", "detail", "edit", "action")


class TicketKindMixin:
    """`kind` names a registered core.hooks.TicketKind (set by ticket_urls() or a subclass)."""

    kind = ""

    @cached_property
    def ticket_kind(self):
        return hooks.ticket_kinds[self.kind]

    def list_queryset(self):
        registry = self.ticket_kind
        return registry.list_queryset(self.request.user) if registry.list_queryset else \
            permissions.visible_tickets(self.request.user, registry.model.objects.all())

    def detail_queryset(self):
        registry = self.ticket_kind
        return registry.detail_queryset(self.request.user) if registry.detail_queryset else self.list_queryset()

    def get_ticket(self, pk):
        """The ticket if the user may see it, else 404 (the same rule as the API)."""
        return get_object_or_404(self.detail_queryset(), pk=pk)

    def require_agent(self):
        if not permissions.is_agent(self.request.user):
            raise PermissionDenied

    # --- services (the kind's, else core's) -----------------------------------------------------

    def create_service(self, data):
        fn = self.ticket_kind.create_service
        return fn(self.request.user, data) if fn else core_services.create_ticket(
            self.ticket_kind.model, self.request.user, data)

    def update_service(self, ticket, data, expected_version=None):
        fn = self.ticket_kind.update_service or core_services.update_ticket
        return fn(ticket, self.request.user, data, expected_version=expected_version)

    def transition_service(self, ticket, to, data, expected_version=None, comment="", **extra):
        fn = self.ticket_kind.transition_service or core_services.transition_ticket
        return fn(ticket, self.request.user, to, data, expected_version=expected_version, comment=comment, **extra)

    # --- rendering ------------------------------------------------------------------------------

    def kind_context(self):
        registry = self.ticket_kind
        return {
            "ticket_kind": registry,
            "kind_label": capfirst(registry.label or registry.kind),
            "kind_label_plural": capfirst(registry.label_plural or registry.kind),
            "urls": {name: f"{registry.url_namespace}:{name}" for name in URL_NAMES},
        }

    def render_kind(self, name, context, status=200):
        """Render the kind's `name` template (templates/<kind folder>/name, else templates/tickets/name)."""
        return render(self.request, self.ticket_kind.templates(name), {**self.kind_context(), **context},
                      status=status)


class TicketView(TicketKindMixin, View):
    pass


def form_errors_from(form, exc, labels=None):
    """Put a service's ValidationError or TransitionError on the form's fields; an error about something the
    form does not show goes above it, named by `labels` (or the model field's name). Returns the form."""
    if hasattr(exc, "errors") and isinstance(exc.errors, dict):  # core.workflow.TransitionError
        items = exc.errors.items()
    else:
        items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for name, errors in items:
        errors = errors if isinstance(errors, (list, tuple)) else [errors]
        if name is None or name in form.fields or name == "__all__":
            form.add_error(name if name in form.fields else None, errors)
        else:
            label = _field_label(form, name, labels or {})
            form.add_error(None, [f"{label}: {error}" for error in errors])
    return form


def _field_label(form, name, labels):
    if name in labels:
        return str(labels[name])
    try:
        return str(form._meta.model._meta.get_field(name).verbose_name)
    except Exception:  # not a model form, or not a model field
        return name
