"""Matching knowledge articles to free text (a requester's problem, a ticket, a known error).

`suggest(text, user, service=None, category=None, limit=5)` is the stable entry point other apps call
(problems/ shows articles next to known errors with it). It returns at most `limit` published articles the
user may read (requesters: only audience=requesters; staff: every audience), best first; each is an
`Article` with a `score` attribute (an int, higher is better).

Matching is by substring, not by word stemming, so Chinese works: the text is cut into terms (Latin words of
three or more letters, not stop words; each run of CJK characters whole and as character bigrams), and an
article scores 3 for each term in its title and 1 for each term in its body, plus 4 when it is filed under
the given service and 4 under the given category. On PostgreSQL Django writes `icontains` as
`UPPER(col) LIKE UPPER('%term%')`; migration 0002 adds pg_trgm GIN indexes on exactly those expressions
(terms of three characters or more use them; the article table is small anyway). SQLite runs the same SQL.
"""

import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from .queries import suggestable_articles, visible_articles

MAX_TERMS = 16
MAX_TEXT = 2000
TITLE_WEIGHT, BODY_WEIGHT, SERVICE_WEIGHT, CATEGORY_WEIGHT = 3, 1, 4, 4
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
TOKEN = re.compile(rf"[{CJK}]+|[^\W_]+", re.UNICODE)
CJK_RUN = re.compile(rf"[{CJK}]+")
STOP_WORDS = frozenset("""
the and for with not but are was were has have had this that these those from into onto over under when what
which who whom why how can cannot could would should will does did doing its it's our your their them they you
any all some too very just also only than then there here about after before again more most other such own
same out off now get got please help need work working cant dont doesnt isnt wont
""".split())


def terms(text):
    """The distinct search terms of a text, in order, at most MAX_TERMS."""
    found = []
    for token in TOKEN.findall((text or "")[:MAX_TEXT].lower()):
        if CJK_RUN.fullmatch(token):
            pieces = [token] if len(token) <= 4 else []
            pieces += [token[i:i + 2] for i in range(len(token) - 1)] if len(token) > 2 else [token]
        elif len(token) >= 3 and token not in STOP_WORDS and not token.isdigit():
            pieces = [token]
        else:
            pieces = []
        for piece in pieces:
            if piece not in found:
                found.append(piece)
    return found[:MAX_TERMS]


def _id(value):
    return getattr(value, "pk", value)


def _score(words):
    parts = []
    for word in words:
        parts.append(Case(When(title__icontains=word, then=Value(TITLE_WEIGHT)), default=Value(0),
                          output_field=IntegerField()))
        parts.append(Case(When(body__icontains=word, then=Value(BODY_WEIGHT)), default=Value(0),
                          output_field=IntegerField()))
    score = Value(0, output_field=IntegerField())
    for part in parts:
        score = score + part
    return score


def _ranked(queryset, text, service=None, category=None, limit=5):
    words = terms(text)
    service_id, category_id = _id(service), _id(category)
    if not words and not service_id and not category_id:
        return []
    match = Q()
    for word in words:
        match |= Q(title__icontains=word) | Q(body__icontains=word)
    score = _score(words)
    if service_id:
        ids = queryset.filter(services=service_id).values("pk")
        match |= Q(pk__in=ids)
        score = score + Case(When(pk__in=ids, then=Value(SERVICE_WEIGHT)), default=Value(0),
                             output_field=IntegerField())
    if category_id:
        ids = queryset.filter(categories=category_id).values("pk")
        match |= Q(pk__in=ids)
        score = score + Case(When(pk__in=ids, then=Value(CATEGORY_WEIGHT)), default=Value(0),
                             output_field=IntegerField())
    rows = (queryset.filter(match).annotate(score=Coalesce(score, Value(0)))
            .filter(score__gt=0).order_by("-score", "-id")[:limit])
    return list(rows)


SUGGEST_CUTOFF = 3  # a suggestion scores at least a third of the best one


def suggest(text, user, service=None, category=None, limit=5):
    """The best published articles for `text` that `user` may read: a list of Article, each with `.score`.

    `service` / `category`: a slm.Service / incidents.Category or its id (or None); matching ones score higher
    and are offered even without a text match. Stable signature: other apps call it."""
    limit = max(1, min(int(limit), 50))
    ranked = _ranked(suggestable_articles(user).only("id", "number", "title", "audience", "state"), text,
                     service, category, limit)
    # A suggestion far weaker than the best one matched by a common word or bigram ("无法", "cannot") only.
    return [article for article in ranked if article.score * SUGGEST_CUTOFF >= ranked[0].score]


def search(text, user, queryset=None, limit=50):
    """Articles of any state the user may read matching `text`, best first (the list's ?q=)."""
    queryset = visible_articles(user) if queryset is None else queryset
    return _ranked(queryset, text, limit=limit)
