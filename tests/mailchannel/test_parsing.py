"""mailchannel.parsing.parse: raw mail bytes as the channel receives them, from real clients' shapes."""

import base64
import logging
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailchannel.parsing import MailParseError, parse


def b64(data):
    return base64.b64encode(data).decode()


def mail(body="Hello", subject="Printer", sender="Alice Example <Alice@Example.COM>", **headers):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Service Desk <desk@example.com>"
    msg["Subject"] = subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def raw_mail(head, body=b"Hello\r\n"):
    """Bytes exactly as given: a From line, the extra header lines, a blank line, the body."""
    return b"From: alice@example.com\r\n" + head + b"\r\n" + body


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class TestHeaders:
    def test_plain_utf8_message(self):
        msg = mail("The printer on floor 3 is jammed.\n", subject="Printer jammed — floor 3",
                   Cc="Bob <BOB@example.org>, carol@example.org", Message_ID="<m1@client.example>",
                   Date="Tue, 01 Dec 2026 10:00:00 +0800")
        parsed = parse(msg.as_bytes())
        assert parsed.sender == "alice@example.com"
        assert parsed.sender_name == "Alice Example"
        assert parsed.to == ["desk@example.com"]
        assert parsed.cc == ["bob@example.org", "carol@example.org"]
        assert parsed.subject == "Printer jammed — floor 3"
        assert parsed.message_id == "<m1@client.example>"
        assert parsed.date == datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
        assert parsed.text == "The printer on floor 3 is jammed."
        assert parsed.reply_text == parsed.text
        assert (parsed.html, parsed.attachments, parsed.auto_reply, parsed.bounce) == ("", [], False, False)

    def test_references_and_in_reply_to_tolerate_junk(self):
        raw = raw_mail(
            b"Message-ID:   <new@client.example>  \r\n"
            b"In-Reply-To: Your message of Tuesday <INC0001001.1a2b@desk.example.com> (Desk)\r\n"
            b"References: <root@desk.example.com>\r\n\t<a@x.example>,<b@x.example> missing@brackets.example\r\n"
            b"  junk <a@x.example> < spaced @x.example >\r\n")
        parsed = parse(raw)
        assert parsed.message_id == "<new@client.example>"
        assert parsed.in_reply_to == ["<INC0001001.1a2b@desk.example.com>"]
        assert parsed.references == ["<root@desk.example.com>", "<a@x.example>", "<b@x.example>",
                                     "<missing@brackets.example>", "<spaced@x.example>"]

    def test_missing_ids_and_date(self):
        parsed = parse(raw_mail(b"Subject: hi\r\nDate: not a date\r\n"))
        assert (parsed.message_id, parsed.in_reply_to, parsed.references, parsed.date) == ("", [], [], None)

    def test_message_id_without_brackets_gets_them(self):
        assert parse(raw_mail(b"Message-ID: abc.123@host.example\r\n")).message_id == "<abc.123@host.example>"

    def test_date_without_zone_is_utc(self):
        parsed = parse(raw_mail(b"Date: Tue, 01 Dec 2026 10:00:00 -0000\r\n"))
        assert parsed.date == datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)

    def test_from_without_angle_brackets(self):
        parsed = parse(b"From: Alice Example alice@EXAMPLE.com\r\nSubject: x\r\n\r\nbody\r\n")
        assert (parsed.sender, parsed.sender_name) == ("alice@example.com", "Alice Example")

    def test_absurdly_nested_address_comments(self):
        raw = raw_mail(b"To: " + b"(" * 5000 + b" bob@example.org\r\nCc: " + b":" * 5000 + b"\r\n")
        parsed = parse(raw)
        assert (parsed.sender, parsed.to, parsed.cc) == ("alice@example.com", ["bob@example.org"], [])

    def test_gb2312_encoded_name_and_subject(self):
        name, subject = "张三".encode("gbk"), "打印机坏了，镕喆".encode("gbk")  # 镕 and 喆 are GBK, not GB2312
        raw = (f"From: =?GB2312?B?{b64(name)}?= <zhang@example.cn>\r\n"
               f"Subject: =?GB2312?B?{b64(subject)}?=\r\n\r\nbody\r\n").encode()
        parsed = parse(raw)
        assert (parsed.sender_name, parsed.subject) == ("张三", "打印机坏了，镕喆")

    def test_encoded_words_split_inside_a_character_and_mixed_charsets(self):
        encoded = "服务器无法登录".encode("gbk")
        raw = (f"From: =?gbk?Q?=D5=C5?= <z@example.cn>\r\n"
               f"Subject: Re: =?gbk?B?{b64(encoded[:5])}?=\r\n =?gbk?B?{b64(encoded[5:])}?= =?utf-8?Q?_=E2=9C=93?=\r\n"
               f"\r\nbody\r\n").encode()
        parsed = parse(raw)
        assert parsed.sender_name == "张"
        assert parsed.subject == "Re: 服务器无法登录 ✓"

    def test_raw_8bit_gbk_subject_is_decoded(self):
        raw = (b"From: alice@example.com\r\nSubject: " + "邮箱满了".encode("gbk") +
               b"\r\nContent-Type: text/plain; charset=gbk\r\n\r\n" + "请清理".encode("gbk"))
        parsed = parse(raw)
        assert (parsed.subject, parsed.text) == ("邮箱满了", "请清理")

    def test_raw_8bit_subject_without_any_charset_is_guessed(self):
        raw = b"From: alice@example.com\r\nSubject: " + "网络中断".encode("gbk") + b"\r\n\r\nhelp\r\n"
        assert parse(raw).subject == "网络中断"


class TestCharsets:
    def test_gbk_body_declared_gb2312(self):
        body = "您好，\r\n打印机卡纸了，镕基大楼三层。\r\n".encode("gbk")
        raw = raw_mail(b"Content-Type: text/plain; charset=\"GB2312\"\r\nContent-Transfer-Encoding: base64\r\n",
                       base64.encodebytes(body))
        assert parse(raw).text == "您好，\n打印机卡纸了，镕基大楼三层。"

    def test_big5_body_with_hkscs_characters(self):
        body = "電腦壞咗，唔該幫手。".encode("big5hkscs")  # 咗 and 唔 are HKSCS only
        raw = raw_mail(f"Subject: =?big5?B?{b64('電腦'.encode('big5'))}?=\r\n"
                       "Content-Type: text/plain; charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n".encode(),
                       body)
        parsed = parse(raw)
        assert (parsed.subject, parsed.text) == ("電腦", "電腦壞咗，唔該幫手。")

    @pytest.mark.parametrize("data, expected", [
        ("Grüße aus Zürich".encode("utf-8"), "Grüße aus Zürich"),
        ("内存不足".encode("gbk"), "内存不足"),
    ])
    def test_unknown_charset_name_falls_back(self, data, expected):
        raw = raw_mail(b"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: 8bit\r\n", data)
        assert parse(raw).text == expected

    @pytest.mark.parametrize("charset", [b"x-unknown", b"base64", b"unicode-escape", b"", b"\"\""])
    def test_bogus_charset_never_raises(self, charset):
        raw = raw_mail(b"Content-Type: text/plain; charset=" + charset + b"\r\n", b"caf\xe9 \xff\xfe\\u0041 ok")
        assert parse(raw).text.endswith("ok")

    def test_utf8_with_a_few_broken_bytes_stays_utf8(self):
        body = "服务已恢复，谢谢。".encode("utf-8")
        raw = raw_mail(b"Content-Type: text/plain; charset=utf-8\r\n", body[:7] + b"\xff" + body[7:])
        text = parse(raw).text
        assert text.startswith("服务") and text.endswith("恢复，谢谢。")

    def test_nul_characters_are_removed(self):
        assert parse(raw_mail(b"", b"a\x00b")).text == "ab"

    def test_html_meta_charset_is_used_when_the_part_has_none(self):
        html = '<html><head><meta charset="gbk"></head><body><p>硬盘故障</p></body></html>'.encode("gbk")
        raw = raw_mail(b"Content-Type: text/html\r\n", html)
        assert parse(raw).text == "硬盘故障"


class TestBodies:
    HTML = ("<html><head><title>Mail</title><style>p{color:red}</style></head><body>"
            "<p>Hello&nbsp;desk &amp; team,</p><div>Line one<br>Line two</div>"
            "<ul><li>Printer</li><li>Scanner</li></ul><ol><li>first</li><li>second</li></ol>"
            "<script>alert('x')</script><p onclick=\"steal()\" style=\"color:red\">See "
            "<a href=\"https://wiki.example.com/p\">the wiki</a> <img src=\"http://tracker.example/p.gif\"></p>"
            "</body></html>")

    def test_html_only_gives_readable_text_and_sanitised_html(self):
        msg = mail()
        msg.set_content(self.HTML, subtype="html")
        parsed = parse(msg.as_bytes())
        assert parsed.text == ("Hello desk & team,\n\nLine one\nLine two\n\n- Printer\n- Scanner\n\n"
                               "1. first\n2. second\n\nSee the wiki <https://wiki.example.com/p>")
        for absent in ("alert", "<script", "onclick", "style", "<img", "tracker.example", "<title"):
            assert absent not in parsed.html
        assert '<a href="https://wiki.example.com/p" rel="noopener noreferrer nofollow">the wiki</a>' in parsed.html
        assert "<li>Printer</li>" in parsed.html

    def test_alternative_prefers_the_text_part(self):
        msg = mail("Plain words.\n")
        msg.add_alternative("<p>HTML <b>words</b>.</p>", subtype="html")
        parsed = parse(msg.as_bytes())
        assert parsed.text == "Plain words."
        assert parsed.html == "<p>HTML <b>words</b>.</p>"

    def test_empty_text_alternative_falls_back_to_html(self):
        msg = mail("\n")
        msg.add_alternative("<p>Only here</p>", subtype="html")
        assert parse(msg.as_bytes()).text == "Only here"

    def test_html_blockquote_history_is_stripped_from_reply_text(self):
        html = ("<div>Thanks, fixed now.</div><div class=\"gmail_quote\"><div>On Tue, Dec 1, 2026 at 10:00 AM "
                "Desk &lt;desk@example.com&gt; wrote:<br></div><blockquote><p>Please restart it.</p></blockquote>"
                "</div>")
        msg = mail()
        msg.set_content(html, subtype="html")
        parsed = parse(msg.as_bytes())
        assert "> Please restart it." in parsed.text
        assert parsed.reply_text == "Thanks, fixed now."

    def test_format_flowed_lines_are_joined(self):
        raw = raw_mail(b"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n",
                       b"This is a long line that the client \r\nwrapped for sending.\r\n\r\n>> quoted \r\n>> more\r\n")
        assert parse(raw).text == "This is a long line that the client wrapped for sending.\n\n>> quoted more"

    def test_deeply_nested_html_is_read_as_plain_text(self):
        msg = mail()
        msg.set_content("<div>" * 5000 + "deep text" + "</div>" * 10, subtype="html")
        parsed = parse(msg.as_bytes())
        assert parsed.text == "deep text"
        assert parsed.html == ""


class TestAttachments:
    def test_pdf_and_inline_image(self):
        msg = mail("See attached.\n")
        msg.add_alternative("<p>See attached <img src=\"cid:logo\"></p>", subtype="html")
        msg.get_payload()[1].add_related(PNG, "image", "png", cid="<logo>")
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="report.pdf")
        parsed = parse(msg.as_bytes())
        assert parsed.text == "See attached."
        by_type = {a.content_type: a for a in parsed.attachments}
        assert by_type["application/pdf"].data == PDF
        assert by_type["application/pdf"].filename == "report.pdf"
        assert by_type["image/png"].data == PNG
        assert by_type["image/png"].filename.endswith(".png")

    @pytest.mark.parametrize("disposition", [
        b"attachment; filename*=gbk''%D4%CB%CE%AC%B1%A8%B8%E6.pdf",
        b"attachment; filename=\"=?GBK?B?" + base64.b64encode("运维报告.pdf".encode("gbk")) + b"?=\"",
        b"attachment; filename=\"" + "运维报告.pdf".encode("gbk") + b"\"",
        b"attachment; filename*0*=gbk''%D4%CB%CE%AC; filename*1*=%B1%A8%B8%E6.pdf",
    ])
    def test_chinese_file_names(self, disposition):
        raw = raw_mail(
            b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
            b"--b1\r\nContent-Type: text/plain; charset=gbk\r\n\r\n" + "见附件".encode("gbk") + b"\r\n"
            b"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: " + disposition + b"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PDF) + b"--b1--\r\n")
        parsed = parse(raw)
        assert parsed.text == "见附件"
        assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
            ("运维报告.pdf", "application/pdf", PDF)]

    def test_name_in_content_type_and_path_in_file_name(self):
        raw = raw_mail(
            b"Content-Type: multipart/mixed; boundary=b\r\n",
            b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
            b"Content-Type: application/octet-stream; name=\"C:\\\\Users\\\\me\\\\log.txt\"\r\n\r\nlog line\r\n"
            b"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n\r\n\r\n--b--\r\n")
        parsed = parse(raw)
        assert [(a.filename, a.data) for a in parsed.attachments] == [("log.txt", b"log line")]  # empty part skipped

    def test_attached_message_is_kept_as_eml(self):
        inner = mail("The original problem.\n", subject="Original: VPN/WLAN down", sender="bob@example.org")
        msg = mail("Forwarding this.\n")
        msg.add_attachment(inner)
        parsed = parse(msg.as_bytes())
        assert parsed.text == "Forwarding this."
        [attached] = parsed.attachments
        assert (attached.filename, attached.content_type) == ("Original: VPN-WLAN down.eml", "message/rfc822")
        reread = parse(attached.data)
        assert (reread.sender, reread.text) == ("bob@example.org", "The original problem.")


class TestAutoRepliesAndBounces:
    @pytest.mark.parametrize("header", [
        b"Auto-Submitted: auto-replied", b"Auto-Submitted: auto-generated; owner-email=x@y.z", b"X-Autoreply: yes",
        b"X-Autorespond: vacation", b"Precedence: bulk", b"Precedence: junk", b"Precedence: auto_reply",
        b"X-Loop: desk@example.com",
    ])
    def test_auto_reply_headers(self, header):
        parsed = parse(raw_mail(header + b"\r\n"))
        assert parsed.auto_reply and not parsed.bounce

    @pytest.mark.parametrize("header", [
        b"X-Auto-Response-Suppress: All", b"X-Auto-Response-Suppress: DR, OOF", b"X-Auto-Response-Suppress: AutoReply",
        b"Precedence: list", b"List-Id: <it.example.com>\r\nPrecedence: first",
    ])
    def test_mail_asking_for_no_automatic_answer_is_still_a_persons_mail(self, header):
        parsed = parse(raw_mail(header + b"\r\n"))
        assert parsed.no_auto_response and not parsed.auto_reply and not parsed.bounce

    @pytest.mark.parametrize("header", [b"Auto-Submitted: no", b"X-Auto-Response-Suppress: DR, RN", b"List-Id: <x>"])
    def test_ordinary_headers_are_no_auto_reply(self, header):
        assert not parse(raw_mail(header + b"\r\n")).auto_reply

    @pytest.mark.parametrize("subject", ["Auto: Printer", "Automatic reply: Printer", "Out of Office: back Monday",
                                         "自动回复: 打印机", "自动答复：休假中"])
    def test_auto_reply_subjects(self, subject):
        assert parse(mail(subject=subject).as_bytes()).auto_reply

    def test_delivery_status_notification_is_a_bounce(self):
        raw = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: desk@example.com\r\n"
               b"Subject: Undelivered Mail Returned to Sender\r\n"
               b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
               b"--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
               b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
               b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
               b"--r\r\nContent-Type: message/rfc822\r\n\r\nFrom: desk@example.com\r\nSubject: INC1\r\n\r\nhi\r\n"
               b"--r--\r\n")
        parsed = parse(raw)
        assert parsed.bounce
        assert parsed.text == "The mail could not be delivered."

    @pytest.mark.parametrize("raw", [
        b"From: postmaster@example.org\r\n\r\nfailed\r\n",
        b"From: alice@example.com\r\nReturn-Path: < >\r\n\r\nfailed\r\n",
        b"From: alice@example.com\r\nX-Failed-Recipients: gone@example.org\r\n\r\nfailed\r\n",
        b"From: MAILER-DAEMON (Mail Delivery System)\r\n\r\nfailed\r\n",  # no address at all, still a bounce
        b"From: Mail Delivery System <MAILER-DAEMON>\r\n\r\nfailed\r\n",
    ])
    def test_bounce_signs(self, raw):
        assert parse(raw).bounce

    def test_read_receipt_is_automatic(self):
        raw = raw_mail(b"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\r\n",
                       b"--r\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--r--\r\n")
        parsed = parse(raw)
        assert parsed.auto_reply and not parsed.bounce


class TestBrokenMime:
    def test_missing_closing_boundary(self):
        raw = raw_mail(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
                       b"--b\r\nContent-Type: text/plain\r\n\r\nStill readable.\r\n"
                       b"--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                       + base64.encodebytes(PDF))
        parsed = parse(raw)
        assert parsed.text == "Still readable."
        assert [a.data for a in parsed.attachments] == [PDF]

    def test_wrong_boundary_is_guessed_from_the_body(self):
        raw = raw_mail(b"Content-Type: multipart/alternative; boundary=\"declared\"\r\n",
                       b"--actual\r\nContent-Type: text/plain\r\n\r\nThe real text.\r\n"
                       b"--actual\r\nContent-Type: text/html\r\n\r\n<p>The real text.</p>\r\n--actual--\r\n")
        parsed = parse(raw)
        assert parsed.text == "The real text."
        assert parsed.html == "<p>The real text.</p>"

    def test_multipart_without_boundary_is_read_as_text(self):
        parsed = parse(raw_mail(b"Content-Type: multipart/mixed\r\n", b"Just some text.\r\n"))
        assert parsed.text == "Just some text."

    def test_bad_base64_gives_what_can_be_read(self):
        good = base64.b64encode("网络断了，请尽快处理。".encode("utf-8"))
        raw = raw_mail(b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
                       good[:16] + b"!!\r\n" + good[16:-2])  # junk inside, padding lost
        assert parse(raw).text.startswith("网络断了，请尽快处理")

    def test_bad_quoted_printable(self):
        raw = raw_mail(b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                       b"caf=C3=A9 =ZZ and=\r\n joined=")
        assert parse(raw).text == "café =ZZ and joined"


class TestHopelessMessages:
    @pytest.mark.parametrize("raw", [
        b"", b"   \r\n", PNG * 4, bytes(range(256)) * 4, b"\r\n\r\nbody without headers",
        b"Subject: no sender\r\n\r\nbody\r\n", b"From: \r\nSubject: x\r\n\r\nbody\r\n",
        b"From: Alice Example\r\n\r\nbody\r\n",
    ])
    def test_unreadable(self, raw):
        with pytest.raises(MailParseError):
            parse(raw)

    def test_not_bytes(self):
        with pytest.raises(MailParseError):
            parse("From: a@b.c\r\n\r\nhi")


def test_large_message_is_parsed():
    big = bytes(range(256)) * (25 * 1024 * 1024 // 256)
    msg = mail("Logs attached.\n" + "log line\n" * 100_000)
    msg.add_attachment(big, maintype="application", subtype="octet-stream", filename="dump.bin")
    parsed = parse(msg.as_bytes())
    assert parsed.reply_text.startswith("Logs attached.")
    assert parsed.attachments[0].data == big


FRAGMENTS = [
    b"From: a@b.c\r\n", b"From: =?gbk?B?1cXI/Q==?= <z@x.cn>\r\n", b"Subject: =?utf-8?Q?x?=\r\n",
    b"Content-Type: multipart/mixed; boundary=x\r\n", b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=big5\r\n", b"Content-Type: multipart/report; report-type=delivery-status\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*=gbk''%D6%D0\r\n", b"References: <a@b> c@d\r\n",
    b"\r\n", b"--x\r\n", b"--x--\r\n", b"<p>hi<blockquote>q", b"=E4=B8", b"5Lit5paH", b"> quoted\r\n",
    b"On Mon wrote:\r\n", b"\xd6\xd0\xce\xc4", b"Date: Mon, 99 Foo 20000 99:99:99\r\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=20),
                                                     max_size=30).map(b"".join)))
def test_parse_raises_nothing_but_mail_parse_error(raw):
    logger = logging.getLogger("mailchannel.parsing")
    seen = []
    handler = logging.Handler()
    handler.emit = seen.append
    logger.addHandler(handler)
    try:
        parse(raw)
    except MailParseError:
        pass
    finally:
        logger.removeHandler(handler)
    assert not seen, "an unexpected error inside the parser was turned into MailParseError"
