"""The configuration screens: managers reach the admin through their role (no is_staff flag needed); what they
may change is their role's model permissions. Agents and requesters stay out."""

import pytest

from tests.support import factories

pytestmark = pytest.mark.django_db


def test_manager_without_is_staff_opens_the_admin_and_the_catalogue(client):
    manager = factories.manager(username="m")
    assert not manager.is_staff
    client.force_login(manager)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/servicerequests/catalogitem/add/").status_code == 200


@pytest.mark.parametrize("make", [factories.agent, factories.requester])
def test_agents_and_requesters_are_sent_to_the_admin_login(client, make):
    client.force_login(make(username="u"))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_an_admin_sets_a_requesters_manager_in_the_profile_screen(client):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "x")
    requester, boss = factories.requester(username="r"), factories.manager(username="boss")
    client.force_login(admin)
    url = f"/admin/core/profile/{requester.profile.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="manager"' in page
    response = client.post(url, {"user": requester.pk, "organization": "", "timezone": "UTC", "language": "",
                                  "phone": "", "manager": boss.pk, "timeline_order": "oldest"})
    assert response.status_code == 302, response.content.decode()[:2000]
    requester.profile.refresh_from_db()
    assert requester.profile.manager == boss
