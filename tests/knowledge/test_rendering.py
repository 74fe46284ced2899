from knowledge.rendering import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("# Title\n\n- **one**\n- `two`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote")
    for tag in ("<h1>", "<li><strong>one</strong></li>", "<code>two</code>", "<table>", "<blockquote>"):
        assert tag in html


def test_script_event_handlers_and_javascript_links_are_removed():
    html = render_markdown('<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n'
                           '[click](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">b</a>\n\n'
                           '<p onclick="steal()" style="color:red">text</p><style>body{}</style>'
                           '<iframe src="https://evil.example"></iframe>')
    lowered = html.lower()
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<style", "style=", "<iframe", "<img"):
        assert bad not in lowered, bad
    assert "text" in html


def test_links_get_rel_noopener_noreferrer_nofollow():
    html = render_markdown("[docs](https://example.com/a)")
    assert 'href="https://example.com/a"' in html and 'rel="noopener noreferrer nofollow"' in html
