"""Approvals of any ticket kind: open a stage of approvers under a rule, decide, and tell the kind the outcome
(hooks.register_approval_listener). Every write is audited on the ticket."""


def start_stage(ticket, actor, approvers, rule="any", required=1, name="", order=1):
    """Open an approval stage on `ticket` for `approvers` (users). The ticket's requester never approves
    their own ticket and is left out; an approver with a delegation covering today is replaced by the delegate
    (on_behalf_of kept). Each approver is notified. Returns the ApprovalStage."""
    raise NotImplementedError


def decide(approval, user, approve, comment=""):
    """`user` approves or rejects `approval` (theirs, or delegated to them). Raises PermissionDeniedError for
    anyone else and for the ticket's requester, ValidationError when already decided. When the stage's rule is
    met (or can no longer be met) the stage is decided, the remaining approvals are skipped and the kind's
    approval listener is called with (ticket, stage, approved: bool, actor, comment)."""
    raise NotImplementedError


def cancel_open_stages(ticket, actor):
    """The ticket was cancelled: its open stages are cancelled and their pending approvals skipped."""
    raise NotImplementedError


def waiting_for(user):
    """Pending approvals of open stages that `user` may decide now (their own and those delegated to them)."""
    raise NotImplementedError
