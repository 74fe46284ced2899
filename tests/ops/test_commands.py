import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient, APIRequestFactory

from cmdb.models import ConfigurationItem, Relationship
from core.api.authentication import TokenAuthentication
from core.models import ApiToken, AuditEntry, Comment, Organization, Team
from incidents import workflow as wf
from incidents.models import Category, Incident
from slm.models import Agreement, Service, ServiceLevelTarget, SLATimer

User = get_user_model()


def resolves(path):
    try:
        resolve(path)
        return True
    except Resolver404:
        return False


def run(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count()
            for model in (User, Organization, Team, Category, Service, ConfigurationItem, Relationship, Agreement,
                          ServiceLevelTarget, SLATimer, Incident, Comment, AuditEntry)}


@pytest.fixture
def debug_on(settings):
    settings.DEMO_DATA = True


@pytest.mark.django_db
def test_seed_demo_loads_a_history_and_is_idempotent(debug_on):
    run("seed_demo", "--days", "10")
    first = counts()
    assert first["Organization"] >= 2 and first["Team"] == 3 and first["Service"] >= 3
    assert first["ConfigurationItem"] >= 3 and 20 <= first["Incident"] <= 120
    states = set(Incident.objects.values_list("state", flat=True))
    assert {wf.CLOSED, wf.RESOLVED} <= states and states & {wf.NEW, wf.IN_PROGRESS, wf.ON_HOLD}
    assert Incident.objects.filter(state=wf.ON_HOLD).exclude(on_hold_reason="").count() == \
        Incident.objects.filter(state=wf.ON_HOLD).count()
    assert not Incident.objects.filter(state__in=[wf.RESOLVED, wf.CLOSED], resolution_code="").exists()
    major = Incident.objects.get(is_major=True)
    assert major.children.count() >= 2 and major.outage_start and major.outage_end == major.resolved_at
    assert Comment.objects.filter(is_internal=True).exists() and Comment.objects.filter(is_internal=False).exists()
    assert first["Relationship"] >= 3 and first["ServiceLevelTarget"] == 18
    assert Agreement.objects.get().status == Agreement.Status.AGREED
    assert SLATimer.objects.count() >= first["Incident"]
    assert all(number.startswith("INC") for number in Incident.objects.values_list("number", flat=True))

    run("seed_demo", "--days", "10")
    assert counts() == first
    assert "already exist" in run("seed_demo", "--if-empty")
    assert counts() == first


@pytest.mark.django_db
def test_seed_demo_days_must_be_positive(debug_on):
    with pytest.raises(CommandError, match="days"):
        run("seed_demo", "--days", "0")
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_seed_demo_users_roles_and_teams(debug_on, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")
    run("seed_demo", "--days", "2")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.groups.filter(name="admin").exists()
    assert User.objects.get(username="manager").groups.filter(name="manager").exists()
    assert User.objects.filter(groups__name="agent").count() >= 3
    requester = User.objects.get(username="requester")
    assert requester.profile.organization is not None
    assert requester.check_password("s3cret-demo")
    for team in Team.objects.all():
        assert team.manager is not None and team.members.count() >= 2
    from core.desk_models import AssignmentRule, CannedResponse

    assert CannedResponse.objects.filter(active=True, team=None).count() >= 2
    assert AssignmentRule.objects.get(active=True).conditions == {"kind": ["incident"], "channel": ["portal"]}


@pytest.mark.django_db
def test_seed_demo_if_empty_does_nothing_when_incidents_exist(debug_on):
    from tests.support import factories

    factories.incident()
    before = counts()
    output = run("seed_demo", "--if-empty")
    assert "already exist" in output
    assert counts() == before
    assert not User.objects.filter(username="requester").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_without_demo_data(settings):
    settings.DEBUG = True  # DEBUG alone does not allow users with a known password
    settings.DEMO_DATA = False
    with pytest.raises(CommandError, match="DEMO_DATA"):
        run("seed_demo")
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_api_token_prints_a_working_key_last(agent_user):
    output = run("api_token", agent_user.username, "--name", "ci", "--expires-days", "5")
    key = output.strip().splitlines()[-1]
    token = ApiToken.objects.get(user=agent_user)
    assert token.name == "ci" and token.expires_at is not None and token.is_active

    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")
    user, auth = TokenAuthentication().authenticate(request)
    assert user == agent_user and auth == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    path = next(p for p in ("/api/v1/me/", "/api/v1/incidents/", "/api/v1/") if resolves(p))
    assert client.get(path).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert client.get(path).status_code == 401


@pytest.mark.django_db
def test_api_token_default_name_never_expires(agent_user):
    run("api_token", agent_user.username)
    token = ApiToken.objects.get(user=agent_user)
    assert token.name.startswith("cli-") and token.expires_at is None


@pytest.mark.django_db
def test_api_token_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("api_token", "ghost")
    assert not ApiToken.objects.exists()
