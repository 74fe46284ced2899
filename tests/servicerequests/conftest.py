import pytest

from tests.support.request_factories import spy_approvals


@pytest.fixture(autouse=True)
def approvals_stand_in():
    """core.approvals, recorded: how the plan opened and cancelled stages (tests/support/request_factories)."""
    with spy_approvals() as calls:
        yield calls
