"""Request and task pages: the generic ticket views plus queue columns, the request's answers and fulfilment plan,
the task's request, and the agents' "new request" (pick an item, then its form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions, ui
from core.converters import parse_id
from core.models import Channel
from core.ticket_views import (TicketActionView, TicketCreateView, TicketDetailView, TicketListView,
                               form_errors_from)

from . import queries, services
from .answers import answers
from .forms import ItemChoiceForm, RequestHeaderForm
from .models import ServiceRequest
from .item_forms import item_form_class
from .variables import VariablesError


def _lookup_column(header, attr, lookup, url_name=None):
    """A column showing a name looked up once per page (`lookup(ids) -> {id: text}`), linked when `url_name`."""
    def prepare(rows):
        names = lookup([getattr(row, attr) for row in rows if getattr(row, attr)])
        for row in rows:
            row._lookup = getattr(row, "_lookup", {})
            row._lookup[attr] = names.get(getattr(row, attr), "—")

    def value(row):
        text, pk = row._lookup[attr], getattr(row, attr)
        if url_name and pk:
            return mark_safe(f'<a href="{reverse(url_name, args=[pk])}">{escape(text)}</a>')
        return ui.clipped(text)

    return ui.Column(header, value, "clip", prepare=prepare)


class RequestListView(TicketListView):
    row_fields = TicketListView.row_fields + ("expected_by",)

    def columns(self):  # the title is the item's name unless the requester gave one: no column of its own
        columns = super().columns()
        columns.insert(-2, ui.Column(gettext_lazy("Expected by"), lambda r: ui.local_minute(r.expected_by),
                                     "nowrap"))
        return columns


class TaskListView(TicketListView):
    row_fields = TicketListView.row_fields + ("request",)

    def columns(self):
        columns = super().columns()
        columns.insert(2, _lookup_column(gettext_lazy("Request"), "request_id", queries.request_numbers,
                                         "requests:detail"))
        return columns


def _visible_attachments(ticket, user):
    staff = permissions.can_see_internal(user)
    return list(ticket.attachments.filter(**({} if staff else {"is_internal": False})))


class RequestDetailView(TicketDetailView):
    def extra_context(self, ticket):
        user = self.request.user
        # The generic page also puts the ticket under its kind's name, which here would hide the HttpRequest
        # ("request") from every template; the kind's template uses `ticket`.
        context = {"request": self.request, "answers": answers(ticket, _visible_attachments(ticket, user)),
                   "approval_state": queries.approval_summary(ticket.approval_stages.all())}
        if permissions.is_agent(user):  # tasks are service desk work: never on the requester's page
            context["stages"] = queries.plan_stages(ticket)
        return context


class RequestActionView(TicketActionView, RequestDetailView):
    pass


class TaskDetailView(TicketDetailView):
    def extra_context(self, task):
        parent = permissions.visible_tickets(self.request.user, ServiceRequest.objects.select_related(
            "catalog_item")).filter(pk=task.request_id).first()  # its answers only, not its plan
        return {"parent": parent,
                "parent_answers": answers(parent, _visible_attachments(parent, self.request.user)) if parent else []}


class TaskActionView(TicketActionView, TaskDetailView):
    pass


class TaskCreateView(TicketCreateView):
    """`?request=<id>` prefills the request's number."""

    @property
    def initial(self):
        pk = parse_id(self.request.GET.get("request"))
        number = pk and queries.request_list(self.request.user).filter(pk=pk).values_list("number", flat=True).first()
        return {"request_number": number} if number else {}

    def clean_data(self, form):
        data = super().clean_data(form)
        data["request"] = data.pop("request_number", None)
        return data


class RequestCreateView(TicketCreateView):
    """An agent orders a catalogue item for someone: ?item=<id> shows the item's form."""

    def item(self):
        pk = parse_id(self.request.GET.get("item") or self.request.POST.get("item"))
        return queries.orderable_items().filter(pk=pk).first() if pk else None

    def get(self, request):
        self.require_agent()
        item = self.item()
        if item is None:
            form = ItemChoiceForm(items=queries.orderable_items())
            return self.render_kind("new.html", {"choice_form": form})
        return self.render_order(item, RequestHeaderForm(), item_form_class(item, request.user)())

    def post(self, request):
        self.require_agent()
        item = self.item()
        if item is None:
            return redirect(self.ticket_kind.url("create"))
        header = RequestHeaderForm(request.POST)
        item_form = item_form_class(item, request.user)(request.POST, request.FILES)
        if header.is_valid() and item_form.is_valid():
            values = item_form.cleaned_data
            try:
                ticket = services.create_request(request.user, {
                    "catalog_item": item, "requester": header.cleaned_data["requester"],
                    "title": header.cleaned_data["title"], "channel": Channel.PHONE,
                    "variables": {k: v for k, v in values.items() if not isinstance(v, UploadedFile)},
                    "files": {k: v for k, v in values.items() if isinstance(v, UploadedFile)}})
            except VariablesError as exc:
                for name, errors in exc.errors.items():
                    item_form.add_error(name if name in item_form.fields else None, errors)
            except ValidationError as exc:
                form_errors_from(header, exc)
            else:
                messages.success(request, _("Service request %(number)s was created.") % {"number": ticket.number})
                return redirect(self.ticket_kind.url("detail", ticket.pk))
        return self.render_order(item, header, item_form, status=400)

    def render_order(self, item, header, item_form, status=200):
        return self.render_kind("new.html", {"item": item, "header_form": header, "item_form": item_form},
                                status=status)
