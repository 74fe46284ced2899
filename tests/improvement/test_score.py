"""The priority score: value over effort, (benefit + urgency + alignment) / (cost + effort + risk) x 10, two
decimals; recomputed whenever a rating changes and stored, so the register orders by it in SQL."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from improvement import queries, services
from improvement.models import ASSESSMENT, Improvement, priority_score
from tests.support import factories

RATINGS = range(1, 6)


def score(benefit=3, cost=3, effort=3, risk=3, urgency_rating=3, alignment=3):
    return priority_score(benefit, cost, effort, risk, urgency_rating, alignment)


def test_bounds_and_monotony_over_every_rating():
    scores = {ratings: priority_score(*ratings) for ratings in itertools.product(RATINGS, repeat=6)}
    assert min(scores.values()) == Decimal("2.00") and max(scores.values()) == Decimal("50.00")
    assert all(value.as_tuple().exponent == -2 for value in scores.values())
    for ratings, value in scores.items():
        benefit, cost, effort, risk, urgency, alignment = ratings
        for index, sign in ((0, 1), (4, 1), (5, 1), (1, -1), (2, -1), (3, -1)):  # value up, load down
            if ratings[index] < 5:
                higher = list(ratings)
                higher[index] += 1
                assert sign * (scores[tuple(higher)] - value) >= 0


@pytest.mark.parametrize("ratings, expected", [
    ({}, "10.00"),
    ({"benefit": 1, "urgency_rating": 1, "alignment": 1, "cost": 5, "effort": 5, "risk": 5}, "2.00"),
    ({"benefit": 5, "urgency_rating": 5, "alignment": 5, "cost": 1, "effort": 1, "risk": 1}, "50.00"),
    ({"benefit": 5, "urgency_rating": 4, "alignment": 5, "cost": 2, "effort": 3, "risk": 1}, "23.33"),  # 140 / 6
    ({"benefit": 2, "urgency_rating": 2, "alignment": 3, "cost": 4, "effort": 3, "risk": 2}, "7.78"),  # 70 / 9
    ({"benefit": 4, "urgency_rating": 1, "alignment": 4, "cost": 3, "effort": 5, "risk": 4}, "7.50"),  # 90 / 12
])
def test_hand_computed_values(ratings, expected):
    assert score(**ratings) == Decimal(expected)


@pytest.fixture
def manager(db):
    return factories.manager(username="score-manager")


def test_stored_on_create_and_recomputed_on_update_of_any_rating(manager):
    imp = services.create_improvement(manager, {"title": "Self-service password resets", "benefit": 5,
                                                "urgency_rating": 4})
    assert imp.score == Decimal("13.33")  # (5 + 4 + 3) / 9
    ratings = {"benefit": 5, "cost": 3, "effort": 3, "risk": 3, "urgency_rating": 4, "alignment": 3}
    for name, value in zip(ASSESSMENT, (2, 1, 4, 5, 1, 5)):
        imp = services.update_improvement(Improvement.objects.get(pk=imp.pk), manager, {name: value})
        ratings[name] = value
        stored = Improvement.objects.get(pk=imp.pk)
        assert stored.score == priority_score(**ratings), name
    assert stored.score == Decimal("8.00")  # (2 + 1 + 5) / (1 + 4 + 5)
    services.update_improvement(stored, manager, {"title": "Password resets in the portal"})
    assert Improvement.objects.get(pk=imp.pk).score == Decimal("8.00")


def test_ratings_out_of_range_are_refused(manager):
    imp = services.create_improvement(manager, {"title": "Chatbot"})
    for value in (0, 6):
        with pytest.raises(ValidationError) as error:
            services.update_improvement(Improvement.objects.get(pk=imp.pk), manager, {"effort": value})
        assert "effort" in error.value.message_dict
    assert Improvement.objects.get(pk=imp.pk).score == Decimal("10.00")


def test_the_register_orders_by_the_stored_score(manager):
    made = {}
    for title, ratings in [("Heavy", {"cost": 5, "effort": 5}), ("Even", {}), ("Quick win", {"benefit": 5,
                                                                                             "effort": 1})]:
        made[title] = services.create_improvement(manager, {"title": title, **ratings})
    assert list(Improvement.objects.order_by("-score").values_list("title", flat=True)) == [
        "Quick win", "Even", "Heavy"]
    services.update_improvement(made["Heavy"], manager, {"cost": 1, "effort": 1, "benefit": 5})
    register = queries.ranked(queries.improvement_list(manager))
    assert [(i.title, i.rank) for i in register] == [("Heavy", 1), ("Quick win", 2), ("Even", 3)]
