"""Realistic articles for the demo: `seed_articles(author, services=None, categories=None)`.

Called by the lead from demo/ (knowledge never imports demo). `services` / `categories` are optional dicts
name -> object used to file articles (e.g. {"E-mail": <Service>}, {"Hardware": <Category>}); unknown names
are ignored. Idempotent: an article whose title exists is left alone. Returns the articles created."""

from .models import Article, Audience
from .services import create_article, publish

ARTICLES = [
    ("Reset your password with self-service", Audience.REQUESTERS, "Accounts", "Access",
     "If you forgot your password or it expired:\n\n1. Open the sign-in page and choose **Forgot password**.\n"
     "2. Enter your work e-mail address.\n3. Follow the link in the message within 15 minutes.\n\n"
     "Passwords need 12 characters or more. Still locked out after five attempts? Wait 15 minutes, then try "
     "again."),
    ("Outlook keeps asking for my password", Audience.REQUESTERS, "E-mail", "Software",
     "This usually follows a password change.\n\n1. Close Outlook.\n2. Open **Credential Manager** and remove "
     "the entries named `MicrosoftOffice`.\n3. Start Outlook and sign in once.\n\nIf the prompt returns, "
     "report a problem and mention the time it started."),
    ("Connect to the VPN from home", Audience.REQUESTERS, "Network", "Network",
     "1. Start the VPN client.\n2. Choose the gateway `vpn.example.com`.\n3. Approve the sign-in on your "
     "phone.\n\n| Symptom | What to do |\n|---|---|\n| Timeout | Check your home internet first |\n"
     "| Certificate error | Restart the laptop to refresh certificates |"),
    ("Printer shows offline", Audience.REQUESTERS, "Printing", "Hardware",
     "Check that the printer is switched on and shows an IP address on its panel. On your computer remove "
     "the printer and add it again from **Settings > Printers**. Queues are named after the floor, e.g. "
     "`PRN-3F-EAST`."),
    ("Escalating a Sev-1 to the network team", Audience.AGENTS, "Network", "Network",
     "For a site-wide outage:\n\n- Declare a major incident on the ticket.\n- Page the network on-call "
     "through the duty phone.\n- Post updates every 30 minutes in the ticket's public replies.\n\n"
     "> Never reboot the core switches without the change authority's approval."),
    ("Mailbox full: archiving and quota increase", Audience.AGENTS, "E-mail", "Software",
     "Check the mailbox size in the mail admin console. Offer online archiving first; a quota increase above "
     "50 GB needs the manager's approval on the request."),
    ("打印机无法打印的处理方法", Audience.REQUESTERS, "Printing", "Hardware",
     "如果打印机无法打印：\n\n1. 确认打印机已开机并连接网络。\n2. 在电脑上删除打印机，然后重新添加。\n"
     "3. 取消队列中卡住的打印任务。\n\n仍然无法打印，请提交问题并注明打印机编号。"),
    ("无法连接无线网络", Audience.REQUESTERS, "Network", "Network",
     "请先忘记无线网络 `CORP-WIFI`，再使用工号和密码重新连接。若提示证书错误，请重启电脑后再试。"),
]


def seed_articles(author, services=None, categories=None):
    services, categories = services or {}, categories or {}
    created = []
    for title, audience, service, category, body in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        data = {"title": title, "body": body, "audience": audience,
                "services": [services[service]] if service in services else [],
                "categories": [categories[category]] if category in categories else []}
        created.append(publish(create_article(author, data), author))
    return created
