"""The requester's self-service portal: the home page (what a requester sees at "/", registered through
core.hooks.requester_home), search over the catalogue and answers, the catalogue, an item's order page, and
the full list of my tickets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import approval_views, hooks, ui
from core import services as core_services
from core.converters import parse_id
from incidents.forms import ReportProblemForm
from knowledge import search as knowledge_search

from . import catalog_queries
from . import portal_queries as queries
from .item_forms import item_form_class
from .portal_forms import OrderExtrasForm, PortalSearchForm
from .services import create_request
from .variables import VariablesError

APPROVALS_SHOWN = 10
ANSWERS_SHOWN = 10
SEARCH_LIMIT = 20
TABS = ("open", "closed")


def _tab(request):
    tab = request.GET.get("tab", "open")
    return tab if tab in TABS else "open"


def _with_kind_labels(rows):
    for row in rows:
        kind = hooks.ticket_kinds.get(row.kind)
        row.kind_label = kind.label if kind else row.kind
    return rows


def report_form_for(request, form=None):
    """The "report a problem" form to show: a new one, the one submitted with its errors, or one carrying the
    answers typed so far (knowledge's "Search answers" without JavaScript)."""
    if isinstance(form, ReportProblemForm):
        return form
    return ReportProblemForm(initial=getattr(form, "initial", None) or {}, user=request.user)


@login_required
def home(request, report_form=None, status=200):
    user, tab = request.user, _tab(request)
    rows, more = queries.home_rows(user, tab)
    report_form = report_form_for(request, report_form)
    return render(request, "portal/home.html", {
        "search_form": PortalSearchForm(), "categories": queries.categories_with_items(user),
        "tab": tab, "rows": _with_kind_labels(rows), "more": more,
        "report_form": report_form, "report_open": report_form.is_bound or bool(report_form.initial),
        "report_extras": ui.render_portal_report_extras(request, report_form),
        **approval_views.waiting_context(user, size=APPROVALS_SHOWN)}, status=status)


@login_required
def search(request):
    """Catalogue items and published answers matching ?q= (requesters: only requester articles)."""
    form = PortalSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/search.html", {"search_form": form}, status=400)
    text = form.cleaned_data["q"]
    return render(request, "portal/search.html", {
        "search_form": form, "query": text,
        "items": catalog_queries.search_items(request.user, text, limit=SEARCH_LIMIT),
        "articles": knowledge_search.suggest(text, request.user, limit=ANSWERS_SHOWN)})


@login_required
def catalog(request):
    """Every item offered to me, by category; ?category= keeps one."""
    raw = request.GET.get("category", "")
    category = parse_id(raw) if raw else None
    if raw and category is None:
        return render(request, "portal/catalog.html", {"error": _("Unknown category.")}, status=400)
    return render(request, "portal/catalog.html", {
        "categories": queries.categories_with_items(request.user, category=category),
        "all_categories": catalog_queries.categories_for(request.user), "category": category})


def _add_errors(item_form, extras, errors):
    """Errors keyed by a variable's name (or title / files / nothing) onto the form that asked for it."""
    for name, messages_ in errors.items():
        messages_ = messages_ if isinstance(messages_, (list, tuple)) else [messages_]
        if name in item_form.fields:
            item_form.add_error(name, list(messages_))
        elif name in ("title", "attachments", "file"):
            extras.add_error("attachments" if name == "file" else name, list(messages_))
        else:
            extras.add_error(None, list(messages_))


def _submit(request, item, item_form, extras):
    """The request through the service, with the order's files, in one transaction; None after an error."""
    data = {"catalog_item": item, "variables": item_form.cleaned_data, "files": item_form.uploads,
            "channel": "portal"}
    if extras.cleaned_data["title"]:
        data["title"] = extras.cleaned_data["title"]
    try:
        with transaction.atomic():
            ticket = create_request(request.user, data)
            for upload in extras.cleaned_data["attachments"]:
                core_services.add_attachment(ticket, request.user, upload)
    except VariablesError as exc:
        _add_errors(item_form, extras, exc.errors)
    except ValidationError as exc:
        _add_errors(item_form, extras, exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages})
    else:
        return ticket
    return None


@login_required
def order(request, pk):
    """An item's order page: what it is, when it is usually done, its questions; POST sends the request."""
    item = catalog_queries.item_for(request.user, pk)
    if item is None:
        raise Http404
    form_class = item_form_class(item, request.user)
    posted = request.method == "POST"
    # An item without questions posts nothing but the token: bind the forms to the POST anyway.
    item_form = form_class(request.POST, request.FILES) if posted else form_class()
    extras = OrderExtrasForm(request.POST, request.FILES, prefix="order") if posted else OrderExtrasForm(prefix="order")
    if posted and all([item_form.is_valid(), extras.is_valid()]):  # both, so every error shows at once
        ticket = _submit(request, item, item_form, extras)
        if ticket is not None:
            messages.success(request, _("Thank you. Your request %(number)s was sent.") % {"number": ticket.number})
            return redirect(ui.ticket_url(ticket) or "portal:home")
    return render(request, "portal/order.html", {
        "item": item, "item_form": item_form, "extras": extras, "expected": queries.expected_text(item, request.user),
}, status=400 if posted else 200)


@login_required
def tickets(request):
    """All my open (or closed) requests and incidents, a keyset page at a time."""
    tab = _tab(request)
    page = queries.list_page(request.user, tab, after=request.GET.get("after", "")[:500],
                             before=request.GET.get("before", "")[:500])
    return render(request, "portal/tickets.html", {"tab": tab, "page": page, "rows": _with_kind_labels(page.rows)})
