"""Known-error suggestions: structured matches outrank text alone, Chinese works, closed problems never show."""

import time

import pytest

from incidents.models import Category
from problems import matching
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import max_queries

from .known_error_support import fix, known_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return factories.agent()


def test_a_ci_and_text_match_ranks_above_a_text_only_match(agent):
    ci = CIFactory()
    text_only = known_error(agent, title="Printer queue stalls on floor 3")
    with_ci = known_error(agent, title="Printer queue stalls on floor 3", configuration_item=ci)
    known_error(agent, title="VPN drops every hour", workaround="Reconnect", root_cause="Timeout")
    incident = factories.incident(agent, title="Printer queue stalls", description="Nothing prints on floor 3",
                                  configuration_item=ci)
    found = matching.suggest_known_errors(incident)
    assert [problem.pk for problem, _score in found] == [with_ci.pk, text_only.pk]
    assert found[0][1] > found[1][1] >= matching.MIN_SCORE
    assert found[0][0].match_reasons["configuration_item"] is True


def test_form_values_rank_by_service_and_category(agent):
    service, category = factories.ServiceFactory(), Category.objects.create(name="Printing")
    plain = known_error(agent, title="Toner warning shown")
    grounded = known_error(agent, title="Toner warning shown", service=service, category=category)
    found = matching.suggest_known_errors({"title": "toner warning", "service": str(service.pk),
                                           "category": str(category.pk), "configuration_item": "x²"})
    assert [p.pk for p, _s in found][:2] == [grounded.pk, plain.pk]


def test_chinese_text_matches_without_segmentation(agent):
    printer = known_error(agent, title="打印机队列卡住", root_cause="打印服务内存泄漏", workaround="重启打印服务")
    known_error(agent, title="邮箱无法登录", root_cause="密码过期", workaround="重置密码")
    found = matching.suggest_known_errors({"title": "三楼打印机队列卡住了", "description": "无法打印"})
    assert [p.pk for p, _s in found] == [printer.pk]


def test_closed_cancelled_and_not_known_problems_are_not_suggested(agent):
    from core import services as core_services
    from problems import services as problem_services

    ci = CIFactory()
    fix(known_error(agent, title="Disk full on db01", configuration_item=ci))
    cancelled = known_error(agent, title="Disk full on db01", configuration_item=ci)
    core_services.transition_ticket(cancelled, None, "cancelled", {"cancel_reason": "duplicate"})
    problem_services.create_problem(agent, {"title": "Disk full on db01", "configuration_item": ci})
    resolved = fix(known_error(agent, title="Disk full on db01", configuration_item=ci), close=False)
    found = matching.suggest_known_errors({"title": "Disk full on db01", "configuration_item": ci.pk})
    assert [p.pk for p, _s in found] == [resolved.pk]  # resolved still counts until its fix is verified


def test_nothing_below_the_minimum_and_at_most_the_limit(agent):
    for n in range(7):
        known_error(agent, title=f"Mail relay refuses messages {n}")
    assert matching.suggest_known_errors({"title": "Badge reader broken at the gate"}) == []
    assert len(matching.suggest_known_errors({"title": "Mail relay refuses messages"})) == 5
    assert len(matching.suggest_known_errors({"title": "Mail relay refuses messages"}, limit=2)) == 2
    assert matching.suggest_known_errors({}) == []


def test_a_call_is_bounded_in_queries_and_time(agent, settings):
    ci = CIFactory()
    for n in range(40):
        known_error(agent, title=f"Known issue number {n} with the payroll export", configuration_item=ci)
    incident = factories.incident(agent, title="payroll export fails", configuration_item=ci)
    started = time.perf_counter()
    with max_queries(4):  # pre-selection (2), the other affected CIs and services (2)
        found = matching.suggest_known_errors(incident)
    assert len(found) == 5 and time.perf_counter() - started < 0.5


def test_other_affected_cis_and_services_match_like_the_problems_own(agent):
    relay, service = CIFactory(name="mail-relay-02"), factories.ServiceFactory()
    problem = known_error(agent, title="Mail delayed by the relay", configuration_item=CIFactory(),
                          affected_cis=[relay], affected_services=[service])
    incident = factories.incident(agent, title="Unrelated wording", configuration_item=relay, service=service)
    found = matching.suggest_known_errors(incident)
    assert [p.pk for p, _ in found] == [problem.pk]
    assert found[0][0].match_reasons["configuration_item"] and found[0][0].match_reasons["service"]
