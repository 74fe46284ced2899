"""mailchannel.parsing.strip_quoted: the new part of a reply, as English and Chinese mail clients write them."""

import pytest

from mailchannel.parsing import parse, strip_quoted

REPLIES = {
    "gmail": ("Thanks, it works now.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Service Desk <desk@example.com> wrote:\n\n"
              "> Please try again.\n> \n> -- \n> Service Desk\n", "Thanks, it works now."),
    "gmail wrapped header": ("Thanks.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Service Desk <\ndesk@example.com> wrote:\n\n"
                             "> Please try again.\n", "Thanks."),
    "apple mail": ("Done.\n\n> On 1 Dec 2026, at 10:00, Desk <desk@example.com> wrote:\n> \n> Restart it.\n", "Done."),
    "outlook": ("Still broken after the restart.\n\n________________________________\n"
                "From: Service Desk <desk@example.com>\nSent: Tuesday, December 1, 2026 10:00 AM\n"
                "To: Alice <alice@example.com>\nSubject: RE: [INC0001001] Printer\n\nPlease restart it.\n",
                "Still broken after the restart."),
    "outlook bold headers": ("Fine now.\n\n*From:* Service Desk <desk@example.com>\n*Sent:* Tuesday\n*To:* Alice\n"
                             "Restart.", "Fine now."),
    "outlook original message": ("Still broken.\n\n-----Original Message-----\nFrom: Service Desk\nSent: Tuesday\n"
                                 "Please restart.", "Still broken."),
    "qq mail": ("打印机还是不能用。\n\n------------------ 原始邮件 ------------------\n"
                "发件人: \"服务台\"<desk@example.com>;\n发送时间: 2026年12月1日(星期二) 上午10:00\n"
                "收件人: \"张三\"<zhang@qq.com>;\n主题: 回复：打印机坏了\n\n请重启打印机。\n", "打印机还是不能用。"),
    "qq mail english": ("OK\n\n------------------ Original ------------------\nFrom: \"Desk\"<desk@example.com>;\n"
                        "Date: Tue, Dec 1, 2026 10:00 AM\nTo: \"Zhang\"<zhang@qq.com>;\n\nRestart.", "OK"),
    "foxmail": ("好的，谢谢！\n\n\nzhang@example.com\n \nFrom: 服务台\nDate: 2026-12-01 10:00\nTo: zhang\n"
                "Subject: Re: 打印机\n请重启打印机。\n", "好的，谢谢！"),
    "foxmail chinese": ("已处理。\n\n发件人：服务台\n发送时间：2026-12-01 10:00\n收件人：张三\n主题：打印机\n\n请重启。",
                        "已处理。"),
    "outlook chinese": ("已经重启了。\n\n-----邮件原件-----\n发件人: 服务台 <desk@example.com>\n"
                        "发送时间: 2026年12月1日 10:00\n收件人: 张三 <zhang@example.com>\n主题: 答复: 打印机\n\n请重启。",
                        "已经重启了。"),
    "outlook chinese without separator": ("好了\n\n发件人: 服务台 <desk@example.com>\n日期: 2026年12月1日\n"
                                          "收件人: 张三\n\n请重启。", "好了"),
    "apple mail chinese": ("收到，谢谢。\n\n发自我的iPhone\n\n> 在 2026年12月1日，10:00，服务台 <desk@example.com> 写道：\n"
                           "> \n> 请重启。\n", "收到，谢谢。"),
    "apple mail chinese unquoted": ("收到。\n\n在 2026年12月1日，上午10:00，服务台 <desk@example.com> 写道：\n\n请重启。",
                                    "收到。"),
    "gmail chinese": ("已解决。\n\n服务台 <desk@example.com> 于2026年12月1日周二 10:00写道：\n\n> 请重启。\n", "已解决。"),
    "signature": ("Works again.\n\n-- \nAlice Example\nFinance, 3rd floor\n", "Works again."),
    "iphone": ("Works.\n\nSent from my iPhone\n", "Works."),
    "outlook mobile": ("Works.\n\nGet Outlook for Android\n", "Works."),
    "netease": ("可以了\n\n发自 网易邮箱大师\n", "可以了"),
}


@pytest.mark.parametrize("text, reply", REPLIES.values(), ids=REPLIES.keys())
def test_quoted_history_and_signatures_are_stripped(text, reply):
    assert strip_quoted(text) == reply


def test_answers_between_quoted_lines_are_kept():
    text = ("On Tue, Dec 1, 2026 at 10:00 AM Desk <desk@example.com> wrote:\n> Is it switched on?\nYes.\n\n"
            "> Is the cable plugged in?\nYes, both ends.\n")
    assert strip_quoted(text) == "Yes.\n\nYes, both ends."


def test_ordinary_lines_that_look_like_headers_are_kept():
    text = "From the start this was broken.\nTo be honest I tried twice.\nOn Monday it worked."
    assert strip_quoted(text) == text


@pytest.mark.parametrize("text", [
    "> only quoted\n> text\n",
    "-----Original Message-----\nFrom: Desk\nSent: Tuesday\n\nforwarded content",
    "-- \nonly a signature",
])
def test_nothing_left_gives_the_whole_text(text):
    assert strip_quoted(text) == text.strip()


def test_windows_line_endings():
    assert strip_quoted("Fixed.\r\n\r\nOn Mon, 1 Dec 2026, Desk wrote:\r\n> old\r\n") == "Fixed."


def test_reply_text_of_a_parsed_chinese_reply():
    body = ("问题已解决，谢谢。\n\n------------------ 原始邮件 ------------------\n发件人: \"服务台\"<desk@example.com>;\n"
            "发送时间: 2026年12月1日(星期二) 上午10:00\n主题: 回复：[INC0001001] 打印机\n\n请重启。\n")
    raw = (b"From: zhang@qq.com\r\nSubject: Re: [INC0001001]\r\nContent-Type: text/plain; charset=gb18030\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("gb18030"))
    parsed = parse(raw)
    assert parsed.reply_text == "问题已解决，谢谢。"
    assert "原始邮件" in parsed.text


HTML_REPLIES = {
    "outlook": ("<div class=WordSection1><p class=MsoNormal>Still broken.<o:p></o:p></p><p>&nbsp;</p>"
                "<div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal><b>From:</b> Service Desk "
                "&lt;desk@example.com&gt;<br><b>Sent:</b> Tuesday, December 1, 2026 10:00 AM<br><b>To:</b> Alice<br>"
                "<b>Subject:</b> RE: Printer</p></div><p class=MsoNormal>Please restart.</p></div>", "Still broken."),
    "qq mail": ("<div>好的，已经重启。</div><div><br></div><div><div>------------------&nbsp;原始邮件&nbsp;"
                "------------------</div><div><div><b>发件人:</b>&nbsp;\"服务台\"&lt;desk@example.com&gt;;</div>"
                "<div><b>发送时间:</b>&nbsp;2026年12月1日(星期二) 上午10:00</div><div><b>主题:</b>&nbsp;回复：打印机"
                "</div></div>请重启。</div>", "好的，已经重启。"),
    "foxmail": ("<div>收到</div><div><br></div><hr><div><div>zhang@example.com</div></div><blockquote><div>&nbsp;"
                "</div><div><div><b>发件人：</b>&nbsp;服务台</div><div><b>发送时间：</b>&nbsp;2026-12-01&nbsp;10:00"
                "</div></div><div>请重启。</div></blockquote>", "收到"),
}


@pytest.mark.parametrize("html, reply", HTML_REPLIES.values(), ids=HTML_REPLIES.keys())
def test_html_only_replies_are_stripped(html, reply):
    raw = ("From: zhang@example.com\r\nSubject: Re: [INC0001001]\r\nContent-Type: text/html; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n" + html).encode()
    parsed = parse(raw)
    assert parsed.reply_text == reply
    assert "请重启" in parsed.text or "Please restart" in parsed.text
