"""English and Simplified Chinese ship complete."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.support import factories

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_chinese_catalogue_has_no_empty_or_fuzzy_entries():
    po = polib.pofile(str(CATALOGUE))
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 300
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    empty = [e.msgid for e in entries
             if (not e.msgstr_plural.get(0) if e.msgid_plural else not e.msgstr)]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    assert not empty, f"untranslated entries: {empty[:10]}"


def test_compiled_catalogue_is_current():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr or e.msgstr_plural.get(0, "") for e in mo}
    stale = [e.msgid for e in po if not e.obsolete and e.msgid not in compiled]
    assert not stale, f"run compilemessages_py; missing in .mo: {stale[:10]}"


@pytest.mark.django_db
def test_switching_language_renders_pages_in_chinese(client):
    agent = factories.agent(username="zh-agent")
    incident = factories.incident(title="打印机离线", actor=agent)
    client.force_login(agent)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert "我的工作" in body and "分派给我的" in body and 'lang="zh-hans"' in body
    detail = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "时间线" in detail and "新建" in detail
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert "My work" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_profile_language_applies_without_the_switcher(client):
    agent = factories.agent(username="zh-profile")
    client.force_login(agent)
    client.post(reverse("profile"), {"timezone": "Asia/Shanghai", "language": "zh-hans"})
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    body = client.get(reverse("home")).content.decode()
    assert "我的工作" in body and "Asia/Shanghai" in body
