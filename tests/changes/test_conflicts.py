"""Schedule conflicts (changes.conflicts): the same CI, a service reached through the CMDB, blackout windows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import conflicts, services
from changes.models import BlackoutWindow
from changes.workflow import CANCELLED, CLOSED, REJECTED
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIFactory, depends_on
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0, second=0, minute=0) + timedelta(days=3)


def at(hours):
    return T0 + timedelta(hours=hours)


def change(cis=(), start=0, end=2, **data):
    return change_factories.change(configuration_items=list(cis), planned_start=at(start), planned_end=at(end),
                                   **data)


def kinds(found):
    return [(c["kind"], c["change"], c["blackout_window"]) for c in found]


def test_same_ci_overlapping_windows_conflict_both_ways():
    switch = CIFactory(name="core-sw-01")
    first = change([switch], 0, 2, title="Firmware")
    second = change([switch], 1, 3, title="Replace PSU")
    found = conflicts.for_change(first)
    assert kinds(found) == [("ci_overlap", second.pk, None)]
    conflict = found[0]
    assert "core-sw-01" in conflict["detail"] and second.number in conflict["detail"]
    assert conflict["number"] == second.number and conflict["title"] == "Replace PSU"
    assert conflict["start"] == at(1) and conflict["end"] == at(3)
    assert kinds(conflicts.for_change(second)) == [("ci_overlap", first.pk, None)]


def test_touching_windows_do_not_overlap_and_other_cis_do_not_conflict():
    switch, router = CIFactory(name="core-sw-01"), CIFactory(name="edge-rt-01")
    first = change([switch], 0, 2)
    change([switch], 2, 4)  # [0, 2) and [2, 4) touch
    change([switch], -3, 0)  # ends where the first starts
    change([router], 0, 2)  # another CI
    assert conflicts.for_change(first) == []
    inside = change([switch], 1, 1.5)
    assert kinds(conflicts.for_change(first)) == [("ci_overlap", inside.pk, None)]


@pytest.mark.parametrize("state", [CLOSED, CANCELLED, REJECTED])
def test_closed_changes_never_conflict(state):
    switch = CIFactory(name="core-sw-01")
    first = change([switch])
    other = change([switch])
    assert kinds(conflicts.for_change(first)) == [("ci_overlap", other.pk, None)]
    type(other).objects.filter(pk=other.pk).update(state=state)
    other.refresh_from_db()
    services.sync_windows(other)
    assert conflicts.for_change(first) == []
    assert conflicts.for_change(other) == []
    assert other.pk not in conflicts.for_range(at(-24), at(24))


def test_cancelling_through_the_service_clears_the_conflict():
    switch = CIFactory(name="core-sw-01")
    first, other = change([switch]), change([switch])
    services.transition_change(other, factories.agent(), CANCELLED, {"cancel_reason": "Not needed"})
    assert conflicts.for_change(first) == []


def test_moving_the_window_is_seen_at_once():
    switch = CIFactory(name="core-sw-01")
    first, other = change([switch], 0, 2), change([switch], 5, 6)
    assert conflicts.for_change(first) == []
    other = services.update_change(other, factories.agent(), {"planned_start": at(1), "planned_end": at(3)})
    assert kinds(conflicts.for_change(first)) == [("ci_overlap", other.pk, None)]


def test_change_without_window_has_no_conflicts():
    switch = CIFactory(name="core-sw-01")
    change([switch])
    bare = change_factories.change(configuration_items=[switch], planned_start=None, planned_end=None)
    BlackoutWindow.objects.create(name="Freeze", start=at(-100), end=at(100))
    assert conflicts.for_change(bare) == []


def test_service_overlap_through_cmdb_impact():
    payroll = factories.ServiceFactory(name="Payroll")
    app = CIFactory(name="payroll-app", service=payroll)
    db, storage = CIFactory(name="payroll-db"), CIFactory(name="san-01")
    depends_on(app, db)
    depends_on(app, storage)
    on_db = change([db], 0, 2)
    on_storage = change([storage], 1, 3)
    found = conflicts.for_change(on_db)
    assert kinds(found) == [("service_overlap", on_storage.pk, None)]
    assert "Payroll" in found[0]["detail"]
    assert kinds(conflicts.for_change(on_storage)) == [("service_overlap", on_db.pk, None)]


def test_named_service_overlaps_and_ci_overlap_is_not_repeated_as_service_overlap():
    payroll = factories.ServiceFactory(name="Payroll")
    app = CIFactory(name="payroll-app", service=payroll)
    first = change([app], 0, 2)
    same_ci = change([app], 1, 3)
    named = change([], 1, 3, services=[payroll])
    found = conflicts.for_change(first)
    assert kinds(found) == [("ci_overlap", same_ci.pk, None), ("service_overlap", named.pk, None)]


def test_global_and_service_blackouts():
    payroll, mail = factories.ServiceFactory(name="Payroll"), factories.ServiceFactory(name="Mail")
    app = CIFactory(name="payroll-app", service=payroll)
    target = change([app], 0, 2)
    freeze = BlackoutWindow.objects.create(name="Year-end freeze", start=at(-10), end=at(1))
    payroll_close = BlackoutWindow.objects.create(name="Payroll run", start=at(1), end=at(5))
    payroll_close.services.set([payroll])
    mail_move = BlackoutWindow.objects.create(name="Mail migration", start=at(-1), end=at(5))
    mail_move.services.set([mail])
    BlackoutWindow.objects.create(name="Touching", start=at(2), end=at(9))  # starts as the change ends
    BlackoutWindow.objects.create(name="Before", start=at(-9), end=at(0))  # ends as the change starts
    found = conflicts.for_change(target)
    assert kinds(found) == [("blackout", None, freeze.pk), ("blackout", None, payroll_close.pk)]
    assert "every service" in found[0]["detail"] and "Year-end freeze" in found[0]["detail"]
    assert "Payroll" in found[1]["detail"] and found[1]["title"] == "Payroll run"
    assert found[1]["start"] == at(1)


def test_for_change_query_count():
    switch = CIFactory(name="core-sw-01")
    payroll = factories.ServiceFactory(name="Payroll")
    first = change([switch], services=[payroll])
    for _ in range(5):
        change([switch], services=[payroll])
    window = BlackoutWindow.objects.create(name="Payroll run", start=at(1), end=at(5))
    window.services.set([payroll])
    with max_queries(6):
        found = conflicts.for_change(first)
    assert [c["kind"] for c in found].count("ci_overlap") == 5
    assert [c["kind"] for c in found].count("blackout") == 1


def test_for_range_matches_for_change_with_bounded_queries():
    payroll = factories.ServiceFactory(name="Payroll")
    app = CIFactory(name="payroll-app", service=payroll)
    db = CIFactory(name="payroll-db")
    depends_on(app, db)
    switch = CIFactory(name="core-sw-01")
    made = [change([switch], 0, 2), change([switch], 1, 3), change([db], 1, 3), change([app], 2.5, 4),
            change([], 10, 12), change([switch], 48, 50)]
    freeze = BlackoutWindow.objects.create(name="Freeze", start=at(11), end=at(12))
    payroll_run = BlackoutWindow.objects.create(name="Payroll run", start=at(3.5), end=at(30))
    payroll_run.services.set([payroll])
    with max_queries(8):
        by_change = conflicts.for_range(at(-1), at(24))
    assert set(by_change) == {c.pk for c in made[:5]}
    for made_change in made[:5]:
        assert by_change[made_change.pk] == conflicts.for_change(made_change)
    assert kinds(by_change[made[4].pk]) == [("blackout", None, freeze.pk)]
    assert ("blackout", None, payroll_run.pk) in kinds(by_change[made[3].pk])
    assert conflicts.for_range(at(100), at(200)) == {}


def test_conflicts_api_contract(agent_user):
    from tests.conftest import client_for

    switch = CIFactory(name="core-sw-01")
    first, other = change([switch]), change([switch])
    window = BlackoutWindow.objects.create(name="Freeze", start=at(-1), end=at(1))
    response = client_for(agent_user).get(f"/api/v1/changes/{first.pk}/conflicts/")
    assert response.status_code == 200
    body = response.json()
    assert [(c["kind"], c["change"], c["blackout_window"]) for c in body] == [
        ("ci_overlap", other.pk, None), ("blackout", None, window.pk)]
    assert all(isinstance(c["detail"], str) and c["detail"] for c in body)
    assert client_for(factories.requester()).get(f"/api/v1/changes/{first.pk}/conflicts/").status_code in (403, 404)


def test_the_cab_agenda_asks_for_its_own_changes_only():
    """conflicts.for_changes: the same conflicts as for_change, for the changes given and no others."""
    switch = CIFactory(name="agenda-switch")
    first = change_factories.change(title="First", configuration_items=[switch])
    second = change_factories.change(title="Second", configuration_items=[switch])
    found = conflicts.for_changes([first])
    assert set(found) == {first.pk}
    assert found[first.pk] == conflicts.for_change(first)
    assert [c["change"] for c in found[first.pk]] == [second.pk]
