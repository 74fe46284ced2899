"""A requester reports a problem through the portal in Chinese and never sees work notes."""

import pytest

from core import services as core_services
from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_requester_reports_a_problem_in_chinese(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    factories.requester(username="portal-user", first_name="Li", last_name="Wei")
    agent = factories.agent(username="desk-agent")

    login(page, live_server, "portal-user")
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_selector("text=报告问题")
    page.fill("#id_title", "会议室投影仪无法显示")
    page.fill("#id_description", "三楼大会议室，HDMI 无信号。")
    page.screenshot(path="/tmp/ui-portal-zh.png", full_page=True)
    page.click("button:has-text('提交')")
    page.wait_for_selector("#ticket")
    incident = Incident.objects.get(title="会议室投影仪无法显示")
    assert incident.channel == "portal"

    core_services.add_comment(incident, agent, "Vendor case 4711 opened", internal=True)
    core_services.add_comment(incident, agent, "技术人员十分钟内到达。")
    page.reload()
    body = page.inner_text("#ticket")
    assert "技术人员十分钟内到达" in body and "Vendor case 4711" not in body
    assert page.locator("text=编辑").count() == 0
    page.screenshot(path="/tmp/ui-portal-detail-zh.png", full_page=True)
