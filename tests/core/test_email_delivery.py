"""E-mail delivery through a real SMTP server (aiosmtpd) started by the test: delivered, then nothing lost
while the server is down, then re-delivered once it is back."""

import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone

from core import services as core_services
from core import tasks
from core.models import Outbox
from tests.support import factories
from tests.support.ports import reserved_port

pytestmark = pytest.mark.django_db


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def port():
    """A loopback port of the test's own: connections are refused until a server listens on it."""
    with reserved_port() as reserved:
        yield reserved


def start_server(port, collector):
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def smtp_settings(port):
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                             EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
                             EMAIL_HOST_PASSWORD="", EMAIL_TIMEOUT=5, DEFAULT_FROM_EMAIL="desk@example.com")


@pytest.fixture
def reply(db):
    """An agent's public reply: one pending e-mail to the requester."""
    requester = factories.requester(username="rhea", email="rhea@example.com")
    agent = factories.agent(username="art")
    incident = factories.incident(actor=requester, title="Laptop will not boot", requester=requester)
    Outbox.objects.all().delete()
    core_services.add_comment(incident, agent, "Hold the power button for 30 seconds")
    return incident


def test_mail_arrives_with_the_right_recipient_and_subject(reply, port):
    collector = Collector()
    server = start_server(port, collector)
    try:
        with smtp_settings(port):
            sent, failed, _fetched = tasks.deliver_pending()
    finally:
        server.stop()
    assert (sent, failed) == (1, 0)
    [envelope] = collector.envelopes
    assert envelope.rcpt_tos == ["rhea@example.com"] and envelope.mail_from == "desk@example.com"
    content = envelope.content.decode()
    assert f"Subject: [{reply.number}] {reply.number}: new reply on your request" in content
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.SENT and row.sent_at is not None


def test_server_down_keeps_the_row_pending_then_redelivers(reply, port):
    # nothing listens on the port yet: the server is down
    with smtp_settings(port):
        sent, failed, _fetched = tasks.deliver_pending()
    assert (sent, failed) == (0, 1)
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.PENDING and row.attempts == 1 and row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
    with smtp_settings(port):
        assert tasks.deliver_pending() == (0, 0, 0)  # not due yet: backoff

    collector = Collector()
    server = start_server(port, collector)
    try:
        with smtp_settings(port):
            sent, failed, _fetched = tasks.deliver_pending(now=row.next_attempt_at + timedelta(seconds=1))
    finally:
        server.stop()
    assert (sent, failed) == (1, 0)
    assert [e.rcpt_tos for e in collector.envelopes] == [["rhea@example.com"]]
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT and row.attempts == 2


def test_server_stopped_mid_way_then_back(reply, port):
    collector = Collector()
    server = start_server(port, collector)
    server.stop()
    time.sleep(0.05)
    with smtp_settings(port):
        assert tasks.deliver_pending()[1] == 1
    server = start_server(port, collector)
    try:
        with smtp_settings(port):
            assert tasks.deliver_pending(now=timezone.now() + timedelta(hours=2))[0] == 1
    finally:
        server.stop()
    assert len(collector.envelopes) == 1


def test_retry_delay_grows_and_is_capped():
    assert [tasks.retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert tasks.retry_delay(20) == 3600
