"""Known-error suggestions for an incident, or for the values of an incident form being typed.

Candidates are known errors (`known_error=True`) whose problem is not closed or cancelled (a resolved problem
still counts until its fix is verified and it closes). Each is scored as a weighted sum, 0..1:

    configuration item equal  WEIGHT_CI       0.30   the strongest structured signal: the same box fails again
                                                     (the problem's CI or one of its other affected CIs)
    service equal             WEIGHT_SERVICE  0.10   broad: never enough on its own (also other affected ones)
    category equal            WEIGHT_CATEGORY 0.10   broad ("Hardware"): never enough on its own
    text similarity           WEIGHT_TEXT     0.50   cosine of TF-IDF vectors, 0..1

Text similarity compares the incident's title + description with the known error's title + root cause +
workaround and with its title alone, and keeps the higher (a short incident title is not diluted by a long root
cause): TF-IDF over character 2- and 3-grams within word boundaries (scikit-learn's analyzer="char_wb",
computed here in plain Python), fitted on the candidates and the incident together. Character n-grams need no word
segmentation, so Chinese text matches as well as English, and they tolerate typos and inflections.

Only suggestions scoring at least MIN_SCORE (0.18) are returned: a configuration item alone qualifies, and so do
service and category together, or text alone from a similarity of 0.36 (a Chinese title that contains the known
error's title scores about 0.4); a service or a category alone with unrelated text (similarity about 0.05) does
not. The work is bounded: at most PRESELECT_SHARED known errors sharing the
configuration item, service or category, topped up with the most recent others to PRESELECT_TOTAL, each text
clipped to MAX_TEXT characters, so one call costs milliseconds however many known errors exist.
"""

import math
from collections import Counter

from django.db.models import Q

from incidents.models import Incident

from .models import Problem
from .workflow import WORKFLOW

WEIGHT_CI = 0.30
WEIGHT_SERVICE = 0.10
WEIGHT_CATEGORY = 0.10
WEIGHT_TEXT = 0.50
MIN_SCORE = 0.18
PRESELECT_SHARED = 200
PRESELECT_TOTAL = 300
MAX_TEXT = 2000
CANDIDATE_FIELDS = ("id", "number", "title", "root_cause", "workaround", "state", "kind", "service_id",
                    "configuration_item_id", "category_id", "known_error_at", "resolved_at")


def _id(value):
    """An id from a model instance, an int or a digit string (form values), else None."""
    from core.converters import parse_id

    if value is None or value == "":
        return None
    return parse_id(getattr(value, "pk", value))


def incident_values(incident_or_values):
    """{title, description, service, configuration_item, category} of an incident or of a dict of form values."""
    source = incident_or_values
    if isinstance(source, Incident):
        return {"title": source.title or "", "description": source.description or "",
                "service": source.service_id, "configuration_item": source.configuration_item_id,
                "category": source.category_id, "incident": source.pk}
    return {"title": str(source.get("title") or ""), "description": str(source.get("description") or ""),
            "service": _id(source.get("service")), "configuration_item": _id(source.get("configuration_item")),
            "category": _id(source.get("category")), "incident": None}


def known_errors():
    """Known errors that can still be suggested: flagged, and not closed or cancelled."""
    return Problem.objects.filter(kind=Problem.TICKET_KIND, known_error=True).exclude(
        state__in=WORKFLOW.closed_states)


def _shared_q(values):
    """Known errors naming the values' CI or service (as their own or among the other affected ones) or category."""
    q = Q()
    for fields, key in ((("configuration_item_id", "affected_cis"), "configuration_item"),
                        (("service_id", "affected_services"), "service"), (("category_id",), "category")):
        for field in fields:
            if values[key]:
                q |= Q(**{field: values[key]})
    return q


def _affected(problems, values):
    """{problem id} naming the values' CI, and those naming its service, among their other affected ones."""
    ids = [p.pk for p in problems]
    found = {}
    for relation, key in (("affected_cis", "configuration_item"), ("affected_services", "service")):
        through = Problem._meta.get_field(relation).remote_field.through
        column = "configurationitem_id" if relation == "affected_cis" else "service_id"
        found[key] = set(through.objects.filter(problem_id__in=ids, **{column: values[key]})
                         .values_list("problem_id", flat=True)) if values[key] and ids else set()
    return found


def candidates(values, shared_limit=PRESELECT_SHARED, total=PRESELECT_TOTAL):
    """At most `total` known errors: those sharing a CI, service or category first, then the most recent."""
    base = known_errors().only(*CANDIDATE_FIELDS).order_by("-known_error_at", "-id")
    shared_q = _shared_q(values)
    chosen = list(base.filter(pk__in=base.filter(shared_q).values("pk")[:shared_limit])) if shared_q else []
    if len(chosen) < total:
        chosen += list(base.exclude(pk__in=[p.pk for p in chosen])[:total - len(chosen)])
    return chosen


def _document(*parts):
    return " ".join(part for part in parts if part)[:MAX_TEXT]


def char_wb_ngrams(text):
    """The character 2- and 3-grams of each word padded with a space, lower-cased: scikit-learn's
    analyzer="char_wb", ngram_range=(2, 3)."""
    grams = []
    for word in text.lower().split():
        word = f" {word} "
        length = len(word)
        for n in (2, 3):
            offset = 0
            grams.append(word[:n])
            while offset + n < length:
                offset += 1
                grams.append(word[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def _unit_weights(counts, idf):
    weights = {gram: (1.0 + math.log(count)) * idf[gram] for gram, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in weights.values()))
    return {gram: value / norm for gram, value in weights.items()} if norm else {}


def text_similarities(query, documents):
    """Cosine similarity of `query` with each document: TF-IDF of char_wb 2-3-grams fitted on them all, with
    sublinear tf, smoothed idf and l2 rows, as scikit-learn's TfidfVectorizer computes it (a test holds the two
    equal); zeros when nothing to compare. Plain Python: the web worker never loads scikit-learn."""
    if not query.strip() or not documents:
        return [0.0] * len(documents)
    counts = [Counter(char_wb_ngrams(text)) for text in (query, *documents)]
    frequency = Counter()
    for document in counts:
        frequency.update(document.keys())
    total = len(counts)
    idf = {gram: math.log((1 + total) / (1 + seen)) + 1.0 for gram, seen in frequency.items()}
    wanted = _unit_weights(counts[0], idf)
    similarities = []
    for document in counts[1:]:
        weights = _unit_weights(document, idf)
        similarities.append(float(sum(value * weights[gram] for gram, value in wanted.items() if gram in weights)))
    return similarities


def similarities_to_problem(problem, texts):
    """How much each of `texts` reads like the problem: the higher of its similarity to the problem's whole text
    and to its title alone (as in scoring)."""
    whole = text_similarities(_document(problem.title, problem.root_cause, problem.workaround), texts)
    title = text_similarities(_document(problem.title), texts)
    return [max(a, b) for a, b in zip(whole, title)]


def score_candidates(values, problems):
    """[(problem, score)] with problem.match_reasons set, unsorted."""
    query = _document(values["title"], values["description"])
    full = [_document(p.title, p.root_cause, p.workaround) for p in problems]
    sims = text_similarities(query, full + [_document(p.title) for p in problems])
    texts = [max(whole, title) for whole, title in zip(sims[:len(problems)], sims[len(problems):])]
    affected = _affected(problems, values)
    scored = []
    for problem, text in zip(problems, texts):
        reasons, score = {}, 0.0
        if values["configuration_item"] and (problem.configuration_item_id == values["configuration_item"]
                                             or problem.pk in affected["configuration_item"]):
            score += WEIGHT_CI
            reasons["configuration_item"] = True
        if values["service"] and (problem.service_id == values["service"] or problem.pk in affected["service"]):
            score += WEIGHT_SERVICE
            reasons["service"] = True
        if values["category"] and problem.category_id == values["category"]:
            score += WEIGHT_CATEGORY
            reasons["category"] = True
        score += WEIGHT_TEXT * text
        reasons["text"] = round(text, 3)
        problem.match_reasons = reasons
        scored.append((problem, round(score, 3)))
    return scored


def suggest_known_errors(incident_or_values, limit=5, min_score=MIN_SCORE):
    """The best known errors for an incident or form values: [(problem, score)], best first, at most `limit`."""
    values = incident_values(incident_or_values)
    if not (values["title"].strip() or values["description"].strip() or values["service"]
            or values["configuration_item"] or values["category"]):
        return []
    scored = [pair for pair in score_candidates(values, candidates(values)) if pair[1] >= min_score]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:max(0, limit)]
