"""One FilterSet for articles, shared by the API and the list page (free text `q` is knowledge.search)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS

from .models import Article, ArticleState, Audience


class ArticleFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=ArticleState.choices, label=_("State"), distinct=False)
    audience = filters.ChoiceFilter(choices=Audience.choices, label=_("Audience"), empty_label=_("Any"))
    service = filters.NumberFilter(field_name="services", **ID_BOUNDS, label=_("Service"), distinct=False)
    category = filters.NumberFilter(field_name="categories", **ID_BOUNDS, label=_("Category"), distinct=False)

    class Meta:
        model = Article
        fields = []
