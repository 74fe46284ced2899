"""Trend analysis: clusters of similar incidents that may share an underlying cause (ITIL 4 problem
identification). Pure reading and computing; problems.candidate_services writes the candidates.

How a cluster is found, for each dimension (configuration item, service, category) and each value of it:
1. The incidents created in the window (PROBLEM_TREND_WINDOW_DAYS, default 90), not cancelled and not
   already linked to a problem ("caused by"), are read as bare tuples (id, created_at, service, CI, category,
   title), streamed in chunks; nothing else of the ticket is loaded.
2. Texts are normalised (lower case, digits -> "0", punctuation -> space) and deduplicated: the clustering
   runs on unique texts weighted by how many incidents carry them.
3. Within a group (one CI, one service or one category) at most PROBLEM_TREND_MAX_TEXTS unique texts
   (default 1000) take part: the most frequent first, then the most recently seen. A group with more unique
   texts than that is clustered on its recurring and newest texts only; the rest of its singletons are not
   compared (this is what bounds the cost: pairwise similarity is quadratic in the texts of a group).
4. Texts are TF-IDF vectors of character n-grams (char_wb, 2-3 characters, sublinear tf, l2), so Chinese
   and other unsegmented text works without word segmentation. Two texts are similar when their cosine is
   at least PROBLEM_TREND_SIMILARITY (default 0.6); clusters are the connected components of that graph
   (scipy.sparse.csgraph) holding at least PROBLEM_TREND_MIN_INCIDENTS incidents (default 3).
5. Clusters of different dimensions covering mostly the same incidents (at least SAME_CLUSTER_SHARE of the
   less specific one) are kept once, the most specific: CI, then service, then category.

Score = incidents x recency x cohesion, where recency = 0.5 ** (days since the last incident / 14) and
cohesion = the count-weighted mean cosine of the cluster's texts to their centroid (1.0 for identical texts).
A large, recent, tight cluster ranks first.

Vectorising: char_wb n-grams are made per word, so the n-gram counts of each distinct word are computed
once and a text's counts are (text x word counts) @ (word x n-gram counts), then tf-idf weighted: the same
matrix as TfidfVectorizer(analyzer="char_wb") at a fraction of the cost on large inputs.
"""

import re
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr
from django.utils import timezone

DIMENSIONS = ("configuration_item", "service", "category")  # most specific first
NGRAMS = (2, 3)
SAME_CLUSTER_SHARE = 0.75
RECENCY_HALF_LIFE_DAYS = 14
MAX_TERMS_LENGTH = 255
CHUNK = 20000

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def setting(name, default):
    return getattr(settings, f"PROBLEM_TREND_{name}", default)


def options():
    return {"window_days": int(setting("WINDOW_DAYS", 90)), "min_incidents": int(setting("MIN_INCIDENTS", 3)),
            "similarity": float(setting("SIMILARITY", 0.6)), "max_texts": int(setting("MAX_TEXTS", 1000)),
            "description_chars": int(setting("DESCRIPTION_CHARS", 0))}


def normalise(text):
    return _NON_WORD.sub(" ", _DIGITS.sub("0", text.lower())).strip()


@dataclass
class Cluster:
    dimension: str
    value: int
    incident_ids: list
    first_seen: object
    last_seen: object
    title: str
    terms: str
    cohesion: float
    score: float
    shared: dict = field(default_factory=dict)  # service/configuration_item/category ids all incidents share
    texts: list = field(default_factory=list, repr=False)  # (normalised text, incidents) of the members

    @property
    def incident_count(self):
        return len(self.incident_ids)


class Incidents:
    """The window's incidents as parallel arrays; `texts` are the unique normalised texts, `text` indexes them."""

    def __init__(self):
        self.ids, self.created = array("q"), array("d")
        self.dims = {name: array("q") for name in DIMENSIONS}
        self.text = array("q")
        self.texts, self.raw_titles, self._index = [], [], {}

    def add(self, pk, created_at, service_id, ci_id, category_id, title, extra=""):
        norm = normalise(f"{title} {extra}" if extra else title)
        position = self._index.get(norm)
        if position is None:
            position = self._index[norm] = len(self.texts)
            self.texts.append(norm)
            self.raw_titles.append(title)
        self.ids.append(pk)
        self.created.append(created_at.timestamp())
        self.dims["configuration_item"].append(ci_id or 0)
        self.dims["service"].append(service_id or 0)
        self.dims["category"].append(category_id or 0)
        self.text.append(position)

    def freeze(self):
        self.ids = np.frombuffer(self.ids, dtype=np.int64)
        self.created = np.frombuffer(self.created, dtype=np.float64)
        self.text = np.frombuffer(self.text, dtype=np.int64)
        self.dims = {name: np.frombuffer(values, dtype=np.int64) for name, values in self.dims.items()}
        return self

    def __len__(self):
        return len(self.ids)


def window_queryset(since, until):
    """The incidents trend analysis reads: created in the window, not cancelled, not linked to a problem."""
    from core.models import LinkKind, TicketLink
    from incidents.models import Incident
    from incidents.workflow import WORKFLOW

    linked = TicketLink.objects.filter(source_id=OuterRef("pk"), kind=LinkKind.CAUSED_BY, target__kind="problem")
    return (Incident.objects.filter(kind=Incident.TICKET_KIND, created_at__gte=since, created_at__lte=until)
            .exclude(state__in=WORKFLOW.cancelled_states).exclude(Exists(linked)))


def window_size(limit):
    """How many incidents the analysis would read now, counted up to `limit`."""
    now = timezone.now()
    queryset = window_queryset(now - timedelta(days=options()["window_days"]), now)
    return queryset[:limit].count()


def load(since, until, description_chars=0):
    fields = ["id", "created_at", "service_id", "configuration_item_id", "category_id", "title"]
    queryset = window_queryset(since, until)
    if description_chars:
        queryset = queryset.annotate(description_start=Substr("description", 1, description_chars))
        fields.append("description_start")
    incidents = Incidents()
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        incidents.add(*row)
    return incidents.freeze()


def vectorise(texts):
    """L2-normalised tf-idf rows of char_wb n-grams (see the module docstring), plus the n-gram analyser."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    words = CountVectorizer(analyzer=str.split, dtype=np.float32)
    text_words = words.fit_transform(texts)
    ngrams = CountVectorizer(analyzer="char_wb", ngram_range=NGRAMS, lowercase=False, dtype=np.float32)
    word_ngrams = ngrams.fit_transform(words.get_feature_names_out())
    counts = (text_words @ word_ngrams).tocsr()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr(), \
        ngrams.build_analyzer()


@dataclass
class Group:
    dimension: str
    value: int
    rows: np.ndarray  # positions in Incidents, sorted by text
    texts: np.ndarray  # unique text indexes taking part
    counts: np.ndarray  # incidents per text


def groups(incidents, dimension, min_incidents, max_texts):
    """The groups of one dimension with enough incidents, each with its bounded set of unique texts."""
    values = incidents.dims[dimension]
    present = np.flatnonzero(values)
    if not len(present):
        return
    order = present[np.lexsort((-incidents.created[present], incidents.text[present], values[present]))]
    sorted_values, sorted_texts = values[order], incidents.text[order]
    value_starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    value_ends = np.r_[value_starts[1:], len(order)]
    for start, end in zip(value_starts, value_ends):
        if end - start < min_incidents:
            continue
        texts = sorted_texts[start:end]
        pair_starts = np.flatnonzero(np.r_[True, texts[1:] != texts[:-1]])
        counts = np.diff(np.r_[pair_starts, end - start])
        unique = texts[pair_starts]
        if len(unique) > max_texts:
            newest = incidents.created[order[start:end]][pair_starts]  # rows are newest first within a text
            keep = np.lexsort((-newest, -counts))[:max_texts]
            unique, counts = unique[keep], counts[keep]
        yield Group(dimension, int(sorted_values[start]), order[start:end], unique, counts)


def common_terms(members, weights, analyzer, typical):
    """Readable spans of the typical text made of n-grams that at least 60 % of the incidents share."""
    share = {}
    for text, weight in zip(members, weights):
        for gram in set(analyzer(text)):
            share[gram] = share.get(gram, 0) + weight
    needed = 0.6 * sum(weights)
    common = [gram for gram, total in share.items() if total >= needed and gram.strip()]
    padded = f" {typical} "
    covered = [False] * len(padded)
    for gram in common:
        start = padded.find(gram)
        while start >= 0:
            covered[start:start + len(gram)] = [True] * len(gram)
            start = padded.find(gram, start + 1)
    spans, current = [], []
    for char, flag in zip(padded, covered):
        if flag:
            current.append(char)
        elif current:
            spans.append("".join(current))
            current = []
    if current:
        spans.append("".join(current))
    terms = []
    for span in (s.strip() for s in spans):
        if len(span) >= 2 and span not in terms:
            terms.append(span)
    return ", ".join(terms)[:MAX_TERMS_LENGTH]


def _clusters_of(group, incidents, matrix, position, opts, analyzer, now):
    from scipy.sparse.csgraph import connected_components

    vectors = matrix[position[group.texts]]
    similar = (vectors @ vectors.T).tocsr()
    similar.data[similar.data < opts["similarity"]] = 0
    similar.eliminate_zeros()
    _, labels = connected_components(similar, directed=False)
    sizes = np.bincount(labels, weights=group.counts)
    for label in np.flatnonzero(sizes >= opts["min_incidents"]):
        members = np.flatnonzero(labels == label)
        texts, weights = group.texts[members], group.counts[members]
        member_vectors = vectors[members]
        centroid = np.asarray(member_vectors.T @ weights.astype(np.float32)).ravel()
        centroid /= np.linalg.norm(centroid) or 1.0
        closeness = np.asarray(member_vectors @ centroid).ravel()
        cohesion = float(np.average(closeness, weights=weights))
        typical = texts[int(np.lexsort((-weights, -closeness))[0])]
        rows = group.rows[np.isin(incidents.text[group.rows], texts)]
        created = incidents.created[rows]
        first, last = created.min(), created.max()
        age_days = max(0.0, (now.timestamp() - last) / 86400)
        recency = 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
        shared = {}
        for name, values in incidents.dims.items():
            chosen = values[rows]
            if chosen[0] and (chosen == chosen[0]).all():
                shared[name] = int(chosen[0])
        yield Cluster(
            dimension=group.dimension, value=group.value, incident_ids=sorted(int(i) for i in incidents.ids[rows]),
            first_seen=_instant(first), last_seen=_instant(last), title=incidents.raw_titles[typical][:255],
            terms=incidents.texts[typical], texts=[(incidents.texts[t], int(w)) for t, w in zip(texts, weights)],
            cohesion=round(cohesion, 4), score=round(len(rows) * recency * cohesion, 4), shared=shared)


def _instant(timestamp):
    return datetime.fromtimestamp(float(timestamp), tz=dt_timezone.utc)


def find_clusters(incidents, opts=None, now=None):
    """Every kept cluster of the incidents, most specific dimension first, then by score."""
    opts = opts or options()
    now = now or timezone.now()
    all_groups = [group for dimension in DIMENSIONS
                  for group in groups(incidents, dimension, opts["min_incidents"], opts["max_texts"])]
    if not all_groups:
        return []
    used = np.unique(np.concatenate([group.texts for group in all_groups]))
    matrix, analyzer = vectorise([incidents.texts[i] for i in used])
    position = np.full(len(incidents.texts), -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    kept, kept_sets = [], []
    for dimension in DIMENSIONS:
        found = [cluster for group in all_groups if group.dimension == dimension
                 for cluster in _clusters_of(group, incidents, matrix, position, opts, analyzer, now)]
        for cluster in sorted(found, key=lambda c: -c.score):
            members = set(cluster.incident_ids)
            if any(len(members & other) >= SAME_CLUSTER_SHARE * len(members) for other in kept_sets):
                continue
            kept.append(cluster)
            kept_sets.append(members)
    for cluster in kept:
        typical = cluster.terms  # the typical normalised text until here
        cluster.terms = common_terms([t for t, _ in cluster.texts], [w for _, w in cluster.texts], analyzer, typical)
    return kept


def analyse(now=None):
    """(clusters, analysed incident ids) of the configured window ending now."""
    opts = options()
    now = now or timezone.now()
    incidents = load(now - timedelta(days=opts["window_days"]), now, opts["description_chars"])
    return find_clusters(incidents, opts, now), incidents
