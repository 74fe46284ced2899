"""The e-mail channel's pages in Chromium: an admin configures a mailbox with the keyboard, and a message's HTML
is shown as sent in a sandboxed frame that runs no script and loads nothing from elsewhere."""

import os

import pytest

from mailchannel.models import Mailbox
from tests.support import factories
from tests.support.browser import login
from tests.support.mail_factories import message

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("MAIL_SCREENSHOTS")  # a folder: save each page for a look


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_admin_configures_a_mailbox_with_the_keyboard(page, live_server):
    factories.admin(username="root")
    factories.TeamFactory(name="Service Desk")
    login(page, live_server, "root")
    page.click("nav >> text=E-mail")
    page.wait_for_url("**/mail/mailboxes/")
    page.wait_for_load_state()
    shot(page, "mailboxes-empty")
    page.keyboard.press("c")
    page.wait_for_url("**/mail/mailboxes/new/")
    page.fill("#id_name", "Service desk")
    page.keyboard.press("Tab")
    page.keyboard.type("desk@example.com")
    page.fill("#id_host", "imap.example.com")
    page.fill("#id_port", "70000")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "Typed-Secret")
    page.select_option("#id_team", label="Service Desk")
    page.fill("#id_port", "993")
    shot(page, "mailbox-form")
    page.click("#save-mailbox")
    page.wait_for_url("**/mail/mailboxes/")
    assert "was saved" in page.inner_text(".messages")
    assert "imap.example.com:993" in page.inner_text("#mailboxes")
    shot(page, "mailboxes")
    page.click("#mailboxes a:has-text(\"Service desk\")")
    assert page.input_value("#id_password") == ""
    assert "Typed-Secret" not in page.content()
    assert Mailbox.objects.get().password == "Typed-Secret"


def test_view_as_sent_runs_no_script_and_loads_nothing_remote(page, live_server):
    agent = factories.agent(username="agent")
    incident = factories.incident(actor=agent, title="Screen flickers")
    sent = message(ticket=incident, subject="Screen flickers", html=(
        '<p id="body">The screen <b>flickers</b>.</p><script>parent.document.title="pwned"</script>'
        '<img src="https://tracker.example/pixel.gif" alt="">'))
    message(ticket=incident, subject="Re: Screen flickers")
    remote = []
    page.route("**/*", lambda route: (remote.append(route.request.url), route.abort())
               if "tracker.example" in route.request.url else route.continue_())
    login(page, live_server, "agent")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    panel = page.locator("#mail-panel")
    assert "Re: Screen flickers" in panel.inner_text()
    shot(page, "ticket-panel")
    panel.get_by_text("View as sent").click()
    page.wait_for_url(f"**/mail/messages/{sent.pk}/as-sent/")
    frame = page.frame_locator("iframe[sandbox]")
    assert "The screen flickers." in frame.locator("#body").inner_text()
    shot(page, "as-sent")
    assert page.title() != "pwned" and remote == []
