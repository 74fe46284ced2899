import pytest

from knowledge.models import Audience
from knowledge.search import suggest, terms
from tests.support import factories

from .support import article

pytestmark = pytest.mark.django_db


def test_terms_cut_chinese_into_runs_and_bigrams_and_drop_short_english_words():
    assert terms("打印机坏了") == ["打印", "印机", "机坏", "坏了"]
    assert terms("打印机") == ["打印机", "打印", "印机"]
    assert terms("My printer is offline!") == ["printer", "offline"]


def test_chinese_text_is_found_by_a_part_of_it():
    agent = factories.agent()
    made = article(agent, title="打印机无法打印", body="重新添加打印机。")
    article(agent, title="无法连接无线网络", body="忘记网络后重新连接。")
    assert [a.pk for a in suggest("打印机", agent)] == [made.pk]
    assert [a.pk for a in suggest("我的打印机坏了", agent)] == [made.pk]


def test_title_matches_rank_above_body_matches_and_scores_are_given():
    agent = factories.agent()
    body_only = article(agent, title="Network tips", body="When the printer is offline, check the cable.")
    titled = article(agent, title="Printer offline", body="Switch it on.")
    found = suggest("printer offline", agent)
    assert [a.pk for a in found] == [titled.pk, body_only.pk]
    assert found[0].score > found[1].score > 0


def test_service_and_category_raise_an_article_and_find_it_without_text():
    from incidents.models import Category

    agent = factories.agent()
    service = factories.ServiceFactory(name="Mail")
    category = Category.objects.create(name="Software")
    plain = article(agent, title="Mail quota", body="Archive old mail.")
    filed = article(agent, title="Mail delayed", body="Archive old mail.", services=[service],
                    categories=[category])
    assert [a.pk for a in suggest("mail", agent, service=service)] == [filed.pk, plain.pk]
    assert [a.pk for a in suggest("", agent, category=category.pk)] == [filed.pk]


def test_suggest_offers_requesters_only_published_requester_articles():
    agent, me = factories.agent(), factories.requester()
    public = article(agent, title="Printer offline")
    article(agent, title="Printer offline: escalation", audience=Audience.AGENTS)
    article(agent, title="Printer offline draft", published=False)
    assert [a.pk for a in suggest("printer", me)] == [public.pk]
    assert len(suggest("printer", agent)) == 2  # staff: every audience, published only


def test_suggest_is_bounded_and_nothing_matches_nothing():
    agent = factories.agent()
    for n in range(8):
        article(agent, title=f"Printer note {n}")
    assert len(suggest("printer", agent)) == 5 and len(suggest("printer", agent, limit=2)) == 2
    assert suggest("", agent) == [] and suggest("zzzqqq", agent) == []


def test_suggestions_far_weaker_than_the_best_are_left_out():
    from knowledge.demo import seed_articles

    seed_articles(factories.manager())
    titles = [a.title for a in suggest("打印机无法打印", factories.requester())]
    assert titles == ["打印机无法打印的处理方法"]
