"""Incident histories with known clusters and noise, for the trend-analysis tests."""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from core.models import Ticket
from incidents.models import Category

from . import factories
from .cmdb_factories import CIFactory

MAIL = ["Mail server unreachable", "Mail servr unreachable", "mail server unreachable!", "Mail server is unreachable",
        "Mail server unreachable again", "Mail-server unreachable"]
CHINESE = ["邮件服务器无法连接", "邮件服务器无法连接了", "邮件服务器 无法连接", "邮件服务器无法连接！", "邮件服务器无法链接",
           "邮件服务器无法连接，请处理", "公司邮件服务器无法连接"]
VPN = ["VPN disconnects every hour", "VPN disconnects every 2 hours", "vpn disconnect every hour",
       "VPN disconnects evry hour", "VPN keeps disconnecting every hour"]
NOISE = ["Printer on floor 3 jammed", "Need access to finance share", "Laptop battery swollen", "Monitor flickers",
         "Password reset for SAP", "New hire onboarding laptop", "Keyboard missing keys", "Teams call drops audio",
         "Excel macro error", "Badge reader at door B broken", "Request licence for Visio", "Wi-Fi slow in room 4",
         "Phone voicemail full", "Calendar invite not received", "Scanner sends blank pages", "Projector no signal",
         "Mouse not working", "Cannot print PDF", "ERP invoice screen freezes", "Outlook search returns nothing",
         "打印机卡纸", "无法访问共享盘", "电脑蓝屏", "会议室投影仪没有信号", "密码过期需要重置", "网络很慢",
         "Docking station no display", "Git repo permission denied", "Jira board missing", "Timesheet app crash",
         "Expense report rejected wrongly", "Chair broken", "Camera shutter stuck", "SharePoint page 404",
         "USB port disabled", "Antivirus alert on laptop", "Disk almost full on laptop", "Headset echo",
         "Bluetooth pairing fails", "Zoom plugin missing"]


@dataclass
class History:
    agent: object
    services: list
    cis: list
    categories: list
    clusters: dict = field(default_factory=dict)  # name -> [incident ids]
    noise: list = field(default_factory=list)


def backdate(incident, days):
    Ticket.objects.filter(pk=incident.pk).update(created_at=timezone.now() - timedelta(days=days))


def make_incident(history, title, service, ci, category, days):
    incident = factories.incident(history.agent, title=title, service=service, configuration_item=ci,
                                  category=category)
    backdate(incident, days)
    return incident


def history(seed=7, tag=""):
    """Three known clusters (English mail on CI 0, Chinese mail on CI 0, VPN on CI 1) and 40 noise incidents
    spread over the same CIs, services and categories."""
    rng = random.Random(seed)
    agent = factories.agent(username="trend-agent")
    services = [factories.ServiceFactory(name=f"Trend service {tag}{i}") for i in range(3)]
    cis = [CIFactory(name=f"trend-ci-{tag}{i}") for i in range(3)]
    categories = [Category.objects.create(name=f"Trend category {tag}{i}") for i in range(3)]
    result = History(agent, services, cis, categories)
    for name, titles, index in (("mail", MAIL, 0), ("chinese", CHINESE, 0), ("vpn", VPN, 1)):
        result.clusters[name] = [make_incident(result, title, services[index], cis[index], categories[index],
                                               rng.uniform(1, 60)).pk for title in titles]
    for title in NOISE:
        result.noise.append(make_incident(result, title, rng.choice(services), rng.choice(cis + [None]),
                                          rng.choice(categories), rng.uniform(1, 80)).pk)
    return result
