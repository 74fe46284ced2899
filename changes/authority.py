"""Who authorises a change: the change model's steps whose risk range covers the change's risk, asked in order
through core.approvals. STUB: replaced by the authority helper."""


def start_authorisation(change, actor):
    """Open the first approval stage; with no step to ask, the change is authorised at once."""


def cancel_authorisation(change, actor):
    from core import approvals

    approvals.cancel_open_stages(change, actor)


def on_approval_decided(ticket, stage, approved, actor, comment):
    """An approval stage settled: open the next, or authorise (system move to scheduled), or reject."""
