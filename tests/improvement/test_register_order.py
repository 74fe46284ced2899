"""The register's order: score first; records a manager ranked by hand at their rank, higher score first on a tie."""

from decimal import Decimal
from types import SimpleNamespace

from improvement.queries import ranked


def rec(pk, score, rank=None):
    return SimpleNamespace(pk=pk, score=Decimal(score), rank_override=rank)


def test_manual_ranks_are_placed_and_ties_keep_the_higher_score_first():
    rows = [rec(1, "30"), rec(2, "20"), rec(3, "10"), rec(4, "5", rank=1), rec(5, "8", rank=1), rec(6, "2", rank=9)]
    assert [r.pk for r in ranked(rows)] == [5, 4, 1, 2, 3, 6]
    assert [r.rank for r in ranked(rows)] == [1, 2, 3, 4, 5, 6]


def test_a_rank_after_a_tie_comes_after_both():
    rows = [rec(1, "30"), rec(2, "20"), rec(3, "5", rank=1), rec(4, "8", rank=1), rec(5, "1", rank=2)]
    assert [r.pk for r in ranked(rows)] == [4, 3, 5, 1, 2]
