"""Global search over every ticket kind the user may see: by number, then by words.

Only a ticket's number, title and description are searched (never comments or work notes), and always
through `permissions.visible_tickets`, so a requester finds exactly the tickets they could open.

- **Number**: `1061`, `INC0001061` or `inc1061` become the exact numbers `PREFIX + 7-digit` of each registered
  kind (the padding of `core.services.next_number`): an equality lookup on the unique number index.
- **Words, PostgreSQL**: full-text search with the 'english' configuration (stemming, so `printers` finds
  "printer"; English stop words dropped), title weighted A and description B, ranked by `ts_rank`. The
  vector expression is served by the GIN index of migration `core/0007_ticket_full_text_search`. Ranking
  recomputes each row's vector, so only the newest `RANK_WINDOW` matches are ranked.
- **Words with CJK characters** (no word boundaries for the text-search parser): substring match on title
  or description, served by the trigram indexes of `core/0004_ticket_text_search_trigram`.
- **Words elsewhere (SQLite)**: every word must occur (case-insensitive substring) in the title or the
  description. No stemming: that is PostgreSQL-only.

Results: at most `PER_KIND` per kind and `TOTAL` in all, best rank first, newest first within equal rank.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from . import hooks, permissions, ui
from .models import Ticket

MAX_QUERY_LENGTH = 200
PER_KIND = 20
TOTAL = 50
RANK_WINDOW = 200
NUMBER_DIGITS = 7  # core.services.next_number pads to seven digits
NUMBER_MAX_LENGTH = Ticket._meta.get_field("number").max_length
SEARCH_CONFIG = "english"
RESULT_FIELDS = ("id", "kind", "number", "title", "state", "created_at")

NUMBER = re.compile(r"^([A-Za-z]*)(\d{1,18})$")
CJK = re.compile(r"[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                 r"\uff00-\uffef]")


def search_vector():
    """The indexed expression; migration 0007 indexes exactly the SQL this compiles to."""
    return (SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("description", weight="B", config=SEARCH_CONFIG))


def number_candidates(query):
    """The exact ticket numbers a query may name (empty when it is not a number)."""
    match = NUMBER.match(query.strip())
    if not match:
        return []
    prefix, digits = match.group(1).upper(), int(match.group(2))
    candidates = []
    for kind in hooks.ticket_kinds.values():
        if prefix and prefix != kind.prefix.upper():
            continue
        number = f"{kind.prefix}{digits:0{NUMBER_DIGITS}d}"
        if len(number) <= NUMBER_MAX_LENGTH:
            candidates.append(number)
    return candidates


def has_cjk(query):
    return bool(CJK.search(query))


def _visible(user):
    return permissions.visible_tickets(user, Ticket.objects.all()).only(*RESULT_FIELDS)


def _bounded(queryset, order_by):
    """At most PER_KIND rows of each kind and TOTAL in all, in one query."""
    per_kind = Window(RowNumber(), partition_by=[F("kind")], order_by=order_by)
    return list(queryset.annotate(kind_row=per_kind).filter(kind_row__lte=PER_KIND).order_by(*order_by)[:TOTAL])


def _by_words(user, query):
    visible = _visible(user)
    newest = [F("id").desc()]
    if has_cjk(query):
        return _bounded(visible.filter(Q(title__icontains=query) | Q(description__icontains=query)), newest)
    if connection.vendor != "postgresql":
        for word in query.split():
            visible = visible.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return _bounded(visible, newest)
    text_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    # The newest matches from the GIN index, then rank only those (ranking recomputes each row's vector).
    # Fetched as a list so the ranking query is always a primary-key lookup, whatever the planner guesses.
    window = list(visible.annotate(document=search_vector()).filter(document=text_query)
                  .order_by("-id").values_list("id", flat=True)[:RANK_WINDOW])
    if not window:
        return []
    ranked = Ticket.objects.filter(id__in=window).only(*RESULT_FIELDS).annotate(
        rank=SearchRank(search_vector(), text_query))
    return _bounded(ranked, [F("rank").desc(), F("id").desc()])


def by_number(user, query):
    """Visible tickets whose number the query names exactly (one indexed lookup), newest first."""
    candidates = number_candidates(query)
    if not candidates:
        return []
    return list(_visible(user).filter(number__in=candidates).order_by("-id"))


def search_tickets(user, query):
    """Tickets the user may see matching the query: number matches first, then word matches.

    Each row carries `url` and `state_text` (the label of its state in its kind's workflow).
    """
    numbered = by_number(user, query)
    seen = {t.pk for t in numbered}
    rows = numbered + [t for t in _by_words(user, query) if t.pk not in seen]
    for row in rows[:TOTAL]:
        row.url = ui.ticket_url(row)
        row.state_text = ui.state_label(row)
        kind = hooks.ticket_kinds.get(row.kind)
        row.kind_label = kind.model._meta.verbose_name if kind else row.kind
    return rows[:TOTAL]


def exact_number_match(user, query):
    """The one visible ticket the query names by number, or None (none, or several kinds share the digits)."""
    matches = by_number(user, query)
    return matches[0] if len(matches) == 1 else None
