"""Unicode digits ('²', '٣') pass str.isdigit() but not int() or the database: every id or number read from a
request is ASCII digits or a 400 / ignored, never a 500."""

import pytest

from tests.support import factories

URLS = ["/api/v1/sla-timers/?ticket={v}", "/api/v1/categories/?parent={v}", "/slm/reviews/?service={v}",
        "/cmdb/cis/?depth={v}", "/cmdb/cis/new/?ci_class={v}"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("value", ["²", "٣", "１"])
def test_unicode_digits_are_never_a_500(client, url, value):
    client.force_login(factories.manager())
    assert client.get(url.format(v=value)).status_code < 500
