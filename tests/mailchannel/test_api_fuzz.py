"""The e-mail channel's API fuzzed from its own schema as an admin (the suite-wide fuzz runs as an agent, whom
these endpoints refuse): no 5xx, and every answer conforms to the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from core.models import ApiToken
from itsm.wsgi import application
from mailchannel.models import OrganizationDomain, Outcome
from tests.support import factories
from tests.support.mail_factories import mailbox, message, peer
from tests.test_schema_fuzz import call_and_validate

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.phases.update(phases=["examples", "fuzzing"])
schema.config.generation.update(max_examples=15, deterministic=True, no_shrink=True,
                                modes=["positive", "negative"])
schema = schema.include(path_regex=r"^/api/v1/(mailboxes|mail-domains|inbound-messages)/")


@pytest.fixture
def admin_key(db, monkeypatch):
    def handled(message, actor):
        message.outcome = Outcome.DISCARDED
        message.save()
        return message

    peer(monkeypatch, "ingest", retry=handled, discard=handled)
    box = mailbox(name="Fuzz desk")
    for n in range(3):
        message(Outcome.FAILED, mailbox=box)
    OrganizationDomain.objects.create(domain="fuzz.example.com", organization=factories.OrganizationFactory())
    factories.TeamFactory()
    _, key = ApiToken.generate(factories.admin(username="fuzz-admin"), "fuzz")
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True, database=None)
def test_mail_api_conforms_to_schema(case, admin_key):
    call_and_validate(case, admin_key)
