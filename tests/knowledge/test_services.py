import re

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditAction, AuditEntry
from core.services import ConflictError, PermissionDeniedError
from knowledge import services
from knowledge.models import ArticleLink, ArticleShown, ArticleState, Audience
from tests.support import factories

from .support import article

pytestmark = pytest.mark.django_db


def test_create_numbers_and_keeps_the_first_version():
    agent = factories.agent()
    first = services.create_article(agent, {"title": "VPN", "body": "Start the client."})
    second = services.create_article(agent, {"title": "Mail", "body": "Open Outlook."})
    assert re.fullmatch(r"KB\d{7}", first.number) and int(second.number[2:]) == int(first.number[2:]) + 1
    assert first.state == ArticleState.DRAFT and first.version == 1 and first.owner == agent
    assert list(first.versions.values_list("version", "title")) == [(1, "VPN")]


def test_every_change_of_title_or_body_is_kept_and_bumps_the_version():
    agent = factories.agent()
    made = services.create_article(agent, {"title": "VPN", "body": "v1"})
    made = services.update_article(made, agent, {"body": "v2"}, expected_version=1, change_note="typo")
    made = services.update_article(made, agent, {"audience": Audience.REQUESTERS}, expected_version=2)
    made = services.update_article(made, agent, {"title": "VPN from home"}, expected_version=3)
    assert made.version == 4
    kept = list(made.versions.order_by("version").values_list("version", "title", "body", "change_note"))
    assert kept == [(1, "VPN", "v1", "Created"), (2, "VPN", "v2", "typo"), (4, "VPN from home", "v2", "")]


def test_a_stale_version_is_a_conflict_and_changes_nothing():
    agent = factories.agent()
    made = services.create_article(agent, {"title": "VPN", "body": "v1"})
    services.update_article(made, agent, {"body": "theirs"}, expected_version=1)
    with pytest.raises(ConflictError) as exc:
        services.update_article(made, agent, {"body": "mine"}, expected_version=1)
    assert exc.value.current_version == 2
    made.refresh_from_db()
    assert made.body == "theirs" and made.versions.count() == 2


def test_publish_retire_and_back_to_draft():
    agent = factories.agent()
    made = services.create_article(agent, {"title": "VPN", "body": "v1"})
    made = services.publish(made, agent)
    assert made.state == ArticleState.PUBLISHED and made.published_at is not None
    with pytest.raises(ValidationError):
        services.publish(made, agent)
    made = services.retire(made, agent)
    assert made.state == ArticleState.RETIRED
    assert services.back_to_draft(made, agent).state == ArticleState.DRAFT


def test_an_empty_article_cannot_be_published_and_requesters_cannot_write():
    agent = factories.agent()
    made = services.create_article(agent, {"title": "Empty"})
    with pytest.raises(ValidationError):
        services.publish(made, agent)
    with pytest.raises(PermissionDeniedError):
        services.create_article(factories.requester(), {"title": "Mine", "body": "x"})
    with pytest.raises(ValidationError):
        services.create_article(agent, {"title": "  "})


def test_link_to_ticket_is_audited_once():
    agent = factories.agent()
    made = article(agent)
    incident = factories.incident(actor=agent)
    services.link_to_ticket(incident, made, agent)
    services.link_to_ticket(incident, made, agent)
    assert ArticleLink.objects.filter(ticket_id=incident.pk, article=made, helped=True).count() == 1
    entries = AuditEntry.objects.filter(ticket_id=incident.pk, action=AuditAction.LINKED)
    assert [entry.changes for entry in entries] == [{"article": [None, made.number]}]


def test_a_requester_links_only_their_articles_to_their_tickets():
    agent, me = factories.agent(), factories.requester()
    mine = factories.incident(actor=agent, requester=me)
    theirs = factories.incident(actor=agent, requester=factories.requester())
    public, internal = article(agent), article(agent, title="Internal", audience=Audience.AGENTS)
    services.link_to_ticket(mine, public, me)
    with pytest.raises(PermissionDeniedError):
        services.link_to_ticket(mine, internal, me)
    with pytest.raises(PermissionDeniedError):
        services.link_to_ticket(theirs, public, me)


def test_record_shown_keeps_only_articles_a_requester_could_have_been_shown():
    agent = factories.agent()
    incident = factories.incident(actor=agent)
    public = article(agent)
    internal = article(agent, title="Internal", audience=Audience.AGENTS)
    draft = article(agent, title="Draft", published=False)
    services.record_shown(incident, [public.pk, internal.pk, draft.pk, 999999, None, public.pk])
    assert list(ArticleShown.objects.filter(ticket_id=incident.pk).values_list("article_id", flat=True)) == [
        public.pk]


def test_publish_known_error_creates_then_updates_one_agents_article():
    from problems import services as problem_services

    agent = factories.agent()
    service = factories.ServiceFactory(name="Mail")
    problem = problem_services.create_problem(agent, {
        "title": "Mail delayed every Monday", "description": "Mail arrives hours late.", "service": service,
        "root_cause": "The archive job saturates the relay.", "workaround": "Restart the relay queue.", "known_error": True})
    made = services.publish_known_error(problem, agent)
    assert made.state == ArticleState.PUBLISHED and made.audience == Audience.AGENTS
    assert made.known_error_id == problem.pk and list(made.services.all()) == [service]
    assert "## Root cause" in made.body and "Restart the relay queue." in made.body
    problem.workaround = "Move the archive job to Sunday."
    again = services.publish_known_error(problem, agent)
    assert again.pk == made.pk and "Sunday" in again.body and again.versions.count() == 2


def test_only_a_known_error_is_published_as_an_article():
    from django.core.exceptions import ValidationError

    agent = factories.agent()
    with pytest.raises(ValidationError):
        services.publish_known_error(factories.problem(actor=agent, root_cause="Unknown yet"), agent)
