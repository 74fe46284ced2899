"""The global search results page (GET /search/?q=), opened from the header search box."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import search, ui
from .forms import SearchForm


@login_required
def search_page(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        status = 400 if "q" in request.GET else 200
        return render(request, "core/search.html", {"form": form, "query": "", "rows": None}, status=status)
    query = form.cleaned_data["q"]
    if search.number_candidates(query):
        ticket = search.exact_number_match(request.user, query)
        if ticket is not None:
            return redirect(ui.ticket_url(ticket))
    rows = search.search_tickets(request.user, query)
    return render(request, "core/search.html", {"form": form, "query": query, "search_query": query, "rows": rows,
                                                "max_results": search.TOTAL})
