"""Knowledge pages: the article list and search, an article, its versions, create/edit, publish/retire, the
ticket page's "This helped" and the portal's suggestions while a requester describes a problem."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, ui
from core.models import Ticket
from core.services import ConflictError, PermissionDeniedError
from core.views import portal
from incidents.forms import ReportProblemForm

from . import panels, queries, search, services
from .filters import ArticleFilter
from .forms import ArticleForm
from .models import Article, ArticleState

MAX_QUERY = 200
STATE_ACTIONS = {"publish": services.publish, "retire": services.retire, "draft": services.back_to_draft}


def _require_reader(request):
    if not queries.can_read(request.user):
        raise PermissionDenied


def _require_writer(request):
    if not queries.can_write(request.user):
        raise PermissionDenied


@login_required
def article_list(request):
    _require_reader(request)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY]
    base = queries.article_list(request.user)
    filterset = ArticleFilter(request.GET or None, queryset=base)
    qs = filterset.qs if not filterset.is_bound or filterset.is_valid() else base.none()
    page = results = None
    if query:
        results = search.search(query, request.user, queryset=qs)
    else:
        page = ui.keyset_page(qs, ("-id",), after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    return render(request, "knowledge/list.html", {
        "filter": filterset, "page": page, "rows": results if query else page.rows, "q": query, "staff": queries.can_write(request.user),
        "query": ui.query_without(request, "after", "before")})


@login_required
def article_detail(request, pk):
    _require_reader(request)
    article = get_object_or_404(queries.article_detail(request.user), pk=pk)
    staff = queries.can_write(request.user)
    return render(request, "knowledge/detail.html", {
        "article": article, "staff": staff, "versions": queries.versions_of(article) if staff else [],
        "states": ArticleState})


@login_required
def article_version(request, pk, version):
    _require_writer(request)
    article = get_object_or_404(queries.article_detail(request.user), pk=pk)
    kept = get_object_or_404(queries.versions_of(article), version=version)
    return render(request, "knowledge/version.html", {"article": article, "kept": kept})


def _form_page(request, form, article=None, conflict=None, status=200):
    return render(request, "knowledge/form.html", {"form": form, "article": article, "conflict": conflict},
                  status=status)


@login_required
def article_create(request):
    _require_writer(request)
    if request.method != "POST":
        return _form_page(request, ArticleForm())
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            article = services.create_article(request.user, form.service_data(),
                                              change_note=form.cleaned_data["change_note"])
            messages.success(request, _("Article %(number)s was saved as a draft.") % {"number": article.number})
            return redirect("knowledge:detail", pk=article.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
    return _form_page(request, form, status=400)


@login_required
def article_edit(request, pk):
    _require_writer(request)
    article = get_object_or_404(queries.article_detail(request.user), pk=pk)
    if request.method != "POST":
        return _form_page(request, ArticleForm(instance=article), article)
    form = ArticleForm(request.POST, instance=Article.objects.get(pk=article.pk))
    if form.is_valid():
        try:
            saved = services.update_article(article, request.user, form.service_data(),
                                            expected_version=form.cleaned_data["version"],
                                            change_note=form.cleaned_data["change_note"])
            messages.success(request, _("Article %(number)s was saved.") % {"number": saved.number})
            return redirect("knowledge:detail", pk=saved.pk)
        except ConflictError:
            current = get_object_or_404(queries.article_detail(request.user), pk=pk)
            data = request.POST.copy()
            data["version"] = current.version  # saving again now overwrites, knowingly
            form = ArticleForm(data, instance=Article.objects.get(pk=pk))
            form.is_valid()
            return _form_page(request, form, current, conflict=current, status=409)
        except ValidationError as exc:
            form.add_service_errors(exc)
    return _form_page(request, form, article, status=400)


@login_required
@require_POST
def article_state(request, pk, action):
    _require_writer(request)
    article = get_object_or_404(Article, pk=pk)
    move = STATE_ACTIONS.get(action)
    if move is None:
        raise PermissionDenied
    try:
        move(article, request.user)
        messages.success(request, _("The article is now %(state)s.") % {
            "state": Article.objects.get(pk=pk).get_state_display().lower()})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("knowledge:detail", pk=pk)


@login_required
@require_POST
def link_helped(request, ticket_pk, pk):
    """ "This helped" on a ticket page: link the article to the ticket, then back to the ticket."""
    ticket = get_object_or_404(permissions.visible_tickets(request.user, Ticket.objects.all()), pk=ticket_pk)
    article = get_object_or_404(queries.suggestable_articles(request.user), pk=pk)
    try:
        services.link_to_ticket(ticket, article, request.user)
        messages.success(request, _("Thank you: %(number)s is linked to this ticket.") % {"number": article.number})
    except PermissionDeniedError:
        raise PermissionDenied
    return redirect(ui.ticket_url(ticket) or "home")


@login_required
def portal_suggest(request):
    """Articles for the problem typed so far. htmx (GET, on keyup): the suggestions fragment; without
    JavaScript (the form's "Search answers" button, POST): the portal again with the suggestions in it."""
    data = request.POST if request.method == "POST" else request.GET
    initial = {"title": data.get("title", "")[:255], "description": data.get("description", "")[:5000]}
    initial.update({name: data[name][:20] for name in ("urgency", "service", "category") if data.get(name)})
    form = ReportProblemForm(initial=initial, user=request.user)
    if request.htmx:
        return render(request, "knowledge/_portal_suggest.html", {
            "report_form": form, **panels.portal_suggest_context(request, form)})
    return portal(request, report_form=form)
