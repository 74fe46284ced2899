"""core.approvals: rules, outcomes, delegation, the requester left out, audit, version, listener, notices."""

import pytest
from django.core.exceptions import ValidationError

from core import approvals, permissions
from core.models import (Approval, ApprovalDelegation, ApprovalStage, AuditAction, AuditEntry, Notification,
                         NotificationEvent, NotificationPreference, Outbox, Ticket)
from core.services import PermissionDeniedError
from tests.support import factories

from .approval_support import days, listener, ticket_with_stage, today  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def approval_of(stage, user):
    return Approval.objects.get(stage=stage, approver=user)


def users(n):
    return [factories.manager() for _ in range(n)]


def test_any_one_approval_approves_and_skips_the_rest(listener):
    a, b = users(2)
    ticket, stage = ticket_with_stage([a, b], rule="any")
    approvals.decide(approval_of(stage, a), a, True, "ok")
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.APPROVED and stage.decided_at
    assert approval_of(stage, b).state == Approval.State.SKIPPED
    assert listener == [(ticket.pk, stage.pk, True, a.pk, "ok", "Incident")]


def test_any_rejection_ends_only_when_nobody_is_left_to_approve(listener):
    a, b = users(2)
    _ticket, stage = ticket_with_stage([a, b], rule="any")
    approvals.decide(approval_of(stage, a), a, False, "too expensive")
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.OPEN and listener == []
    approvals.decide(approval_of(stage, b), b, False, "no")
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.REJECTED
    assert [call[2] for call in listener] == [False]


def test_all_needs_every_approver_and_one_rejection_ends_it(listener):
    a, b, c = users(3)
    _ticket, stage = ticket_with_stage([a, b, c], rule="all")
    assert stage.required == 3
    approvals.decide(approval_of(stage, a), a, True)
    approvals.decide(approval_of(stage, b), b, True)
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.OPEN and listener == []
    approvals.decide(approval_of(stage, c), c, True)
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.APPROVED and len(listener) == 1

    _ticket, other = ticket_with_stage([a, b, c], rule="all")
    approvals.decide(approval_of(other, b), b, False, "not now")
    other.refresh_from_db()
    assert other.state == ApprovalStage.State.REJECTED
    assert set(Approval.objects.filter(stage=other).values_list("state", flat=True)) == {"rejected", "skipped"}
    assert listener[-1][2:5] == (False, b.pk, "not now")


def test_n_of_m_counts_and_rejects_when_it_can_no_longer_be_met(listener):
    a, b, c, d = users(4)
    _ticket, stage = ticket_with_stage([a, b, c, d], rule="n_of_m", required=2)
    approvals.decide(approval_of(stage, a), a, False, "no")
    approvals.decide(approval_of(stage, b), b, True)
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.OPEN
    approvals.decide(approval_of(stage, c), c, True)
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.APPROVED
    assert approval_of(stage, d).state == Approval.State.SKIPPED

    _ticket, other = ticket_with_stage([a, b, c], rule="n_of_m", required=2)
    approvals.decide(approval_of(other, a), a, False, "no")
    other.refresh_from_db()
    assert other.state == ApprovalStage.State.OPEN  # 2 of the other 2 may still approve
    approvals.decide(approval_of(other, b), b, False, "no")
    other.refresh_from_db()
    assert other.state == ApprovalStage.State.REJECTED
    assert [call[2] for call in listener] == [True, False]


def test_n_of_m_is_clamped_to_the_number_of_approvers():
    a, b = users(2)
    _ticket, stage = ticket_with_stage([a, b], rule="n_of_m", required=5)
    assert stage.required == 2
    approvals.decide(approval_of(stage, a), a, True)
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.OPEN


def test_the_requester_is_left_out_and_may_not_decide(listener):
    boss = factories.manager()
    requester = factories.manager()  # even staff never approve their own ticket
    _ticket, stage = ticket_with_stage([requester, boss], requester=requester)
    assert list(stage.approvals.values_list("approver_id", flat=True)) == [boss.pk]
    with pytest.raises(ValidationError) as error:
        ticket_with_stage([requester], requester=requester)
    assert "approvers" in error.value.message_dict
    # a delegation to the requester does not let them decide their own ticket
    ApprovalDelegation.objects.create(user=boss, delegate=requester, starts_on=today(), ends_on=today())
    with pytest.raises(PermissionDeniedError):
        approvals.decide(approval_of(stage, boss), requester, True)
    assert listener == []


def test_inactive_and_duplicate_approvers_are_left_out():
    a = factories.manager()
    gone = factories.manager(is_active=False)
    _ticket, stage = ticket_with_stage([a, a, gone, None])
    assert list(stage.approvals.values_list("approver_id", flat=True)) == [a.pk]


def test_someone_else_may_not_decide():
    a, outsider = users(2)
    _ticket, stage = ticket_with_stage([a])
    with pytest.raises(PermissionDeniedError):
        approvals.decide(approval_of(stage, a), outsider, True)


def test_deciding_twice_or_in_a_closed_stage_is_refused(listener):
    a, b = users(2)
    _ticket, stage = ticket_with_stage([a, b], rule="all")
    approvals.decide(approval_of(stage, a), a, True)
    with pytest.raises(ValidationError):
        approvals.decide(approval_of(stage, a), a, False, "changed my mind")
    approvals.decide(approval_of(stage, b), b, True)
    with pytest.raises(ValidationError):
        approvals.decide(approval_of(stage, b), b, True)
    assert len(listener) == 1
    ticket2, stage2 = ticket_with_stage([a, b], rule="any")
    approvals.decide(approval_of(stage2, a), a, True)
    with pytest.raises(ValidationError) as error:
        approvals.decide(approval_of(stage2, b), b, True)  # skipped: the stage is decided
    assert "approval" in error.value.message_dict
    assert len(listener) == 2


def test_a_rejection_needs_a_comment():
    a = factories.manager()
    _ticket, stage = ticket_with_stage([a])
    with pytest.raises(ValidationError) as error:
        approvals.decide(approval_of(stage, a), a, False, "   ")
    assert "comment" in error.value.message_dict
    assert approval_of(stage, a).state == Approval.State.PENDING


def test_delegation_at_start_replaces_the_approver(listener):
    boss, deputy = users(2)
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=days(-1), ends_on=days(3))
    ticket, stage = ticket_with_stage([boss])
    approval = stage.approvals.get()
    assert (approval.approver, approval.on_behalf_of) == (deputy, boss)
    assert list(approvals.waiting_for(deputy)) == [approval]
    assert list(approvals.waiting_for(boss)) == []
    approvals.decide(approval, deputy, True, "fine")
    approval.refresh_from_db()
    assert approval.decided_by == deputy and approval.state == "approved"
    assert listener[0][3] == deputy.pk


def test_past_future_or_inactive_delegations_do_not_replace():
    boss, deputy, gone = users(3)
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=days(-5), ends_on=days(-1))
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=days(1), ends_on=days(5))
    gone.is_active = False
    gone.save()
    ApprovalDelegation.objects.create(user=boss, delegate=gone, starts_on=today(), ends_on=today())
    _ticket, stage = ticket_with_stage([boss])
    approval = stage.approvals.get()
    assert (approval.approver, approval.on_behalf_of) == (boss, None)


def test_a_delegation_made_after_the_request_lets_the_delegate_decide():
    boss, deputy = users(2)
    _ticket, stage = ticket_with_stage([boss])
    approval = stage.approvals.get()
    with pytest.raises(PermissionDeniedError):
        approvals.decide(approval, deputy, True)
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today(), ends_on=days(2))
    assert list(approvals.waiting_for(deputy)) == [approval]
    approvals.decide(approval, deputy, False, "over budget")
    approval.refresh_from_db()
    assert (approval.approver, approval.decided_by, approval.state) == (boss, deputy, "rejected")
    entry = AuditEntry.objects.filter(ticket_id=stage.ticket_id, action=AuditAction.APPROVAL,
                                      changes__has_key="approval").get()
    assert entry.changes["decided_by"][1] == deputy.get_full_name()


def test_audit_entries_and_version_bumps():
    a, b = users(2)
    ticket, stage = ticket_with_stage([a, b], rule="all")
    opened = Ticket.objects.get(pk=ticket.pk).version
    assert opened == ticket.version  # the stage's start bumped the in-memory copy too
    approvals.decide(approval_of(stage, a), a, True, "fine by me")
    approvals.decide(approval_of(stage, b), b, False, "no budget")
    assert Ticket.objects.get(pk=ticket.pk).version == opened + 2
    entries = list(AuditEntry.objects.filter(ticket_id=ticket.pk, action=AuditAction.APPROVAL).order_by("id"))
    assert [e.changes.get("approval_stage") for e in entries] == [[None, "open"], None, None, ["open", "rejected"]]
    assert entries[1].changes["approval"] == [None, "approved"] and entries[1].actor == a
    assert entries[1].changes["approver"] == [None, a.get_full_name()]
    assert entries[2].changes["comment"] == [None, "no budget"]
    assert entries[3].actor == b


def test_cancel_open_stages_skips_pending_and_calls_no_listener(listener):
    a, b = users(2)
    ticket, stage = ticket_with_stage([a, b])
    version = Ticket.objects.get(pk=ticket.pk).version
    assert approvals.cancel_open_stages(ticket, factories.agent()) == 1
    stage.refresh_from_db()
    assert stage.state == ApprovalStage.State.CANCELLED
    assert set(stage.approvals.values_list("state", flat=True)) == {"skipped"}
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1
    assert approvals.cancel_open_stages(ticket, None) == 0
    assert listener == [] and list(approvals.waiting_for(a)) == []


def test_without_a_listener_the_stage_is_still_decided():
    a = factories.manager()
    _ticket, stage = ticket_with_stage([a])
    approvals.decide(approval_of(stage, a), a, True)
    stage.refresh_from_db()
    assert stage.state == "approved"


def test_waiting_for_lists_only_pending_approvals_of_open_stages():
    a, b = users(2)
    _t1, open_stage = ticket_with_stage([a, b], rule="all")
    _t2, decided = ticket_with_stage([a])
    approvals.decide(approval_of(decided, a), a, True)
    assert list(approvals.waiting_for(a)) == [approval_of(open_stage, a)]


def test_each_approver_is_notified_in_their_language():
    a = factories.manager(email="a@example.com")
    b = factories.requester(email="b@example.com")
    b.profile.language = "zh-hans"
    b.profile.save()
    NotificationPreference.objects.create(user=a, event=NotificationEvent.APPROVAL_REQUESTED, email=False)
    ticket, _stage = ticket_with_stage([a, b])
    rows = {n.recipient_id: n for n in Notification.objects.filter(kind=NotificationEvent.APPROVAL_REQUESTED)}
    assert set(rows) == {a.pk, b.pk} and rows[a.pk].ticket_id == ticket.pk
    assert "approval" in rows[a.pk].text and ticket.number in rows[a.pk].text
    mails = list(Outbox.objects.filter(ticket_id=ticket.pk, subject__startswith=f"[{ticket.number}] {ticket.number}"))
    assert [m.recipient for m in mails] == ["b@example.com"]  # a switched the e-mail off
    assert mails[0].subject == f"[{ticket.number}] {ticket.number}：需要您审批"  # in b's language
    assert f"/incidents/{ticket.pk}/" in mails[0].body and ticket.title in mails[0].body


def test_concurrent_deciders_cannot_both_win(listener):
    """Two approvals decided one after the other under "any": the second finds the stage closed."""
    a, b = users(2)
    _ticket, stage = ticket_with_stage([a, b])
    first, second = approval_of(stage, a), approval_of(stage, b)  # both loaded while pending
    approvals.decide(first, a, True)
    with pytest.raises(ValidationError):
        approvals.decide(second, b, True)
    assert len(listener) == 1


def test_a_requester_role_approver_may_see_the_ticket_they_are_asked_about():
    org, other = factories.OrganizationFactory(), factories.OrganizationFactory()
    boss = factories.requester(organization=org)
    deputy = factories.requester(organization=org)
    stranger = factories.requester(organization=other)
    ticket = factories.incident(requester=factories.requester(organization=other))
    assert not permissions.can_view(boss, ticket)
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today(), ends_on=today())
    approvals.start_stage(ticket, factories.agent(), [boss])
    assert permissions.can_view(deputy, ticket) and permissions.can_view(boss, ticket)  # asked, and who delegated
    assert not permissions.can_view(stranger, ticket)
    visible = permissions.visible_tickets(deputy, Ticket.objects.all())
    assert list(visible.values_list("pk", flat=True)) == [ticket.pk]  # once, no join duplicates
    assert permissions.requesters_who_see(ticket, [boss, deputy, stranger]) == {boss.pk, deputy.pk}


def test_a_requester_is_never_asked_to_approve_a_kind_hidden_from_them():
    boss = factories.requester()
    problem = factories.problem()
    with pytest.raises(ValidationError):
        approvals.start_stage(problem, factories.agent(), [boss])
    assert not problem.approvals.exists()
    assert not permissions.can_view(boss, problem)
    assert permissions.requesters_who_see(problem, [boss]) == set()


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_run_the_listener_once(listener):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks are tested on PostgreSQL")
    a, b = users(2)
    _ticket, stage = ticket_with_stage([a, b], rule="any")
    barrier, outcomes = threading.Barrier(2), []

    def run(user):
        try:
            barrier.wait()
            approvals.decide(approval_of(stage, user), user, True)
            outcomes.append("won")
        except ValidationError:
            outcomes.append("closed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["closed", "won"] and len(listener) == 1
    assert sorted(Approval.objects.filter(stage=stage).values_list("state", flat=True)) == ["approved", "skipped"]
