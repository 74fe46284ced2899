"""The ticket page as a browser shows it: deferred panels (core.hooks.register_ticket_panel(deferred=True)) are
fetched by htmx once the page is shown; here they are fetched the same way and put in place."""

import re

PLACEHOLDER = re.compile(r'<div class="panel deferred"[^>]*hx-get="([^"]+)"[^>]*>.*?</div>', re.S)


def with_panels(client, html):
    """`html` with each deferred panel's placeholder replaced by what its URL answers for `client`."""
    def panel(match):
        response = client.get(match.group(1), HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (match.group(1), response.status_code)
        return response.content.decode()

    return PLACEHOLDER.sub(panel, html)


def ticket_page(client, url):
    """The page at `url` (followed to its end) with its deferred panels loaded."""
    response = client.get(url, follow=True)
    return with_panels(client, response.content.decode())
