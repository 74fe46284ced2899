"""Log in, create an API token on the profile page (key shown once), log out."""

import pytest

from core.models import ApiToken
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_token_created_on_profile_then_log_out(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    factories.agent(username="tokens", first_name="Toni", last_name="Keys")
    page.goto(f"{live_server.url}/login/")
    page.screenshot(path="/tmp/ui-login.png")
    login(page, live_server, "tokens")
    page.click("summary:has-text('Toni Keys')")
    page.click("text=Profile and API tokens")
    page.fill("#id_name", "monitoring bridge")
    page.click("button:has-text('Create token')")
    key = page.inner_text("code.token-key").strip()
    token = ApiToken.objects.get(name="monitoring bridge")
    assert key.startswith(token.prefix) and len(key) > 30
    page.screenshot(path="/tmp/ui-profile.png", full_page=True)
    page.reload()
    assert page.locator("code.token-key").count() == 0
    page.click("summary:has-text('Toni Keys')")
    page.click("button:has-text('Log out')")
    page.wait_for_selector("input[name=username]")
    assert "/login/" in page.url
