"""problems.matching.text_similarities computes what scikit-learn's TfidfVectorizer (char_wb 2-3-grams, sublinear
tf) and a linear kernel compute, without loading scikit-learn in the web worker."""

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from problems.matching import text_similarities

CASES = [
    ("Printer on floor 3 is offline", ["Printer offline after driver update", "VPN drops every hour",
                                       "printer printer PRINTER jams", "", "a", "Floor 3\tswitch\n\n  down"]),
    ("打印机无法连接", ["三楼打印机无法打印", "邮件服务器 连接 超时", "打印机", "VPN 断开"]),
    ("a b", ["a", "b", "c d e"]),
    ("x" * 2000, ["x" * 1999, "y" * 10]),
    ("Outlook 无法同步 mail", ["Outlook cannot sync mail 邮件", "无法同步"]),
]


def sklearn_similarities(query, documents):
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), lowercase=True, sublinear_tf=True)
    matrix = vectorizer.fit_transform([query, *documents])
    return [float(value) for value in linear_kernel(matrix[0:1], matrix[1:]).ravel()]


@pytest.mark.parametrize(("query", "documents"), CASES)
def test_equal_to_scikit_learn(query, documents):
    assert text_similarities(query, documents) == pytest.approx(sklearn_similarities(query, documents), abs=1e-12)


def test_nothing_to_compare_is_zero():
    assert text_similarities("   ", ["printer"]) == [0.0]
    assert text_similarities("printer", []) == []
    assert text_similarities("printer", ["   "]) == [0.0]
