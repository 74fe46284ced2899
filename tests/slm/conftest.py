import pytest

from slm import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Test databases reuse ids after a rollback: never let one test see another's cached calendar."""
    calendar.clear_cache()
    yield
    calendar.clear_cache()
