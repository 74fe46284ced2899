"""The ticket page: fields, timeline, panels and the inline action forms (one template, htmx fragments)."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from core import permissions, services as core_services, ui
from core.models import Ticket, TimelineOrder
from core.ticket_forms import AttachmentForm, LinkForm, NoteForm, ReassignForm, ReplyForm, TransitionForm

from .base import TicketView

FRAGMENT_BASE = "tickets/_fragment.html"  # renders only {% block content %}: the #ticket element for htmx


def visible_ids(user):
    """A subquery of the ticket ids `user` may see (no condition at all for staff)."""
    return permissions.visible_tickets(user, Ticket.objects.values("pk"))


class TicketDetailView(LoginRequiredMixin, TicketView):
    """GET: the page. Kinds override extra_context() and transition_form_kwargs(), and set
    transition_form_class; their template (templates/<kind>/detail.html) extends tickets/detail.html."""

    transition_form_class = TransitionForm

    def get(self, request, pk):
        return self.render_ticket(self.get_ticket(pk))

    # --- hooks for kinds --------------------------------------------------------------------------

    def extra_context(self, ticket):
        """The kind's own context; `self.bound` holds the submitted action forms (by key) being shown again."""
        return {}

    def transition_form_kwargs(self, ticket, transition):
        return {}

    def transition_form(self, ticket, transition, data=None):
        return self.transition_form_class(data, transition=transition, model=self.ticket_kind.model,
                                          prefix=transition.to, initial={"version": ticket.version},
                                          **self.transition_form_kwargs(ticket, transition))

    # --- the page -------------------------------------------------------------------------------

    def timeline_order(self):
        profile = getattr(self.request.user, "profile", None)
        return profile.timeline_order if profile else TimelineOrder.OLDEST_FIRST

    def transition_forms(self, ticket, bound=None):
        forms = []
        for transition in core_services.allowed_transitions(ticket, self.request.user):
            if bound is not None and bound.transition.to == transition.to:
                forms.append(bound)
            else:
                forms.append(self.transition_form(ticket, transition))
        return forms

    def get_context(self, ticket, bound):
        user = self.request.user
        staff = permissions.can_see_internal(user)
        workflow = self.ticket_kind.workflow
        order = self.timeline_order()
        timeline = ui.build_timeline(ticket, user)
        if order == TimelineOrder.NEWEST_FIRST:
            timeline.reverse()
        links_out = ticket.links_out.select_related("target")
        links_in = ticket.links_in.select_related("source")
        if not permissions.is_agent(user):  # a requester never sees another organization's ticket numbers
            links_out = links_out.filter(target_id__in=visible_ids(user))
            links_in = links_in.filter(source_id__in=visible_ids(user))
        links_out, links_in = list(links_out), list(links_in)
        for link in links_out:
            link.url = ui.ticket_url(link.target)
        for link in links_in:
            link.url = ui.ticket_url(link.source)
        return {
            "ticket": ticket,
            self.ticket_kind.kind: ticket,  # also under the kind's name ("incident") for the kind's blocks
            "staff": staff,
            "is_open": ticket.state in workflow.open_states,
            "can_edit": permissions.can_edit(user, ticket),
            "can_comment": permissions.can_comment(user, ticket),
            "timeline": timeline,
            "timeline_order": order,
            "timeline_orders": TimelineOrder,
            "attachments": ticket.attachments.filter(**({} if staff else {"is_internal": False}))
            .select_related("uploaded_by"),
            "links_out": links_out,
            "links_in": links_in,
            "transition_forms": self.transition_forms(ticket, bound.get("transition")),
            "reply_form": bound.get("reply") or ReplyForm(),
            "note_form": (bound.get("note") or NoteForm()) if staff else None,
            "active_tab": "note" if bound.get("note") else "reply",
            "attachment_form": bound.get("attach") or AttachmentForm(staff=staff),
            "link_form": bound.get("link") or LinkForm(placeholder=f"{self.ticket_kind.prefix}0001001"),
            "reassign_form": bound.get("reassign") or ReassignForm(
                team=ticket.team, initial={"team": ticket.team_id, "assignee": ticket.assignee_id,
                                           "version": ticket.version}),
            "panels": ui.render_panels(ticket, self.request),
            "action_error": bound.get("error"),
            "base_template": FRAGMENT_BASE if self.request.htmx else "base.html",
        }

    def render_ticket(self, ticket, bound=None, status=200):
        """The page; `bound` holds a submitted action form (with its errors) to show instead of a blank one.
        An htmx request gets only the #ticket element."""
        bound = self.bound = bound or {}
        context = self.get_context(ticket, bound)
        context.update(self.extra_context(ticket))
        return self.render_kind("detail.html", context, status=200 if self.request.htmx else status)


@login_required
@require_GET
def ticket_panel(request, pk, order):
    """A deferred panel of the ticket page (core.hooks.register_ticket_panel(deferred=True)), for whoever may see
    the ticket; the page's placeholder loads it."""
    panel = ui.deferred_panel(order)
    if panel is None:
        raise Http404
    ticket = get_object_or_404(permissions.visible_tickets(request.user, Ticket.objects.all()), pk=pk).specific
    return HttpResponse(ui.render_panel(ticket, request, *panel))
