import pytest

from tests.support.request_factories import stand_in_approvals


@pytest.fixture(autouse=True)
def approvals_stand_in():
    """core.approvals is another practice's work: these tests use a stand-in (tests/support/request_factories)."""
    with stand_in_approvals() as calls:
        yield calls
