"""The new part of a reply: quoted history, signatures and "sent from my phone" lines cut off. Knows English and
Chinese clients: Gmail, Outlook, Apple Mail, QQ Mail, Foxmail, NetEase."""

import re

QUOTED = re.compile(r"^\s*>")
WROTE_START = re.compile(r"^\s*(?:On\s|在\s*\d)")
WROTE_MARK = re.compile(r"<[^<>@\s]+@[^<>\s]+>|\d{4}\s*[年/.-]")  # an address or a date: "<a@b> 于2026年..."
WROTE = re.compile(r"^\s*(?:On\s.{0,400}\swrote|.{0,400}写道)\s*[:：]?\s*$", re.IGNORECASE)
SEPARATOR = re.compile(
    r"^\s*[-=]{2,}\s*(?:Original Message|Original|Forwarded by.*|原始邮件|邮件原件|原邮件)\s*[-=]{2,}\s*$",
    re.IGNORECASE)
RULE = re.compile(r"^\s*_{10,}\s*$")
HEADER_FROM = re.compile(r"^[\s*]*(?:From|发件人|寄件者|寄件人)[\s*]*[:：]", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^[\s*]*(?:Sent|Date|To|Subject|Cc|发送时间|发送日期|时间|日期|收件人|主题|抄送|寄件日期|傳送時間|收件者|主旨|副本)"
    r"[\s*]*[:：]", re.IGNORECASE)
SIGNATURE = re.compile(r"^--\s?$")
MOBILE = re.compile(
    r"^\s*(?:Sent from my\s.*|Sent from (?:Mail|Outlook) for\s.*|Get Outlook for\s.*|发自我的.*|从我的\s*\S+\s*发送"
    r"|发自\s*(?:网易邮箱大师|网易邮箱|QQ邮箱|WPS邮箱|手机|钉钉).*)$", re.IGNORECASE)
BARE_ADDRESS = re.compile(r"^\s*[^@\s]+@[^@\s]+\s*$")  # Foxmail signs a reply with the sender's address
# Lines any cut rule could match (the rest are kept without further checks).
CANDIDATE = re.compile(r"^\s*(?:[-=_>*]|On\s|From|Sent from|Get Outlook|发件人|寄件|发自|从我的)", re.IGNORECASE)
WINDOW = 3  # a "... wrote:" line wrapped by the client spans at most this many lines


def _wrote_header(lines, i):
    """How many lines the "On <date>, <name> wrote:" / "...写道：" header starting at line i spans (0: none)."""
    window = lines[i:i + WINDOW]
    if not (WROTE_START.match(lines[i]) or WROTE_MARK.search(lines[i])):
        return 0
    joined = ""
    for span, line in enumerate(window, start=1):
        if not line.strip() or QUOTED.match(line):
            return 0
        joined = f"{joined} {line.strip()}" if joined else line.strip()
        if WROTE.match(joined):
            return span
    return 0


def _header_block(lines, i):
    """True when line i opens a forwarded-header block: From/发件人 then Sent/Date/To/Subject/收件人/主题..."""
    if not HEADER_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1:i + 6] if line.strip()][:3]
    return any(HEADER_NEXT.match(line) for line in following)


def _cut_here(lines, i):
    line = lines[i]
    if SIGNATURE.match(line) or MOBILE.match(line) or SEPARATOR.match(line) or _header_block(lines, i):
        return True
    return bool(RULE.match(line)) and any(_header_block(lines, j) for j in range(i + 1, min(i + 3, len(lines))))


def _interleaved(lines, start):
    """True when answers are written between the quoted lines after a "wrote:" header (bottom posting)."""
    seen_quote = False
    for i in range(start, len(lines)):
        if not lines[i].strip():
            continue
        if QUOTED.match(lines[i]):
            seen_quote = True
            continue
        return seen_quote and not _cut_here(lines, i)
    return False


def strip_quoted(text):
    """`text` without quoted history ("> " lines, "On ... wrote:" and everything after, Outlook, QQ Mail and
    Foxmail original-message blocks), the "-- " signature and "Sent from my iPhone"/"发自我的iPhone" lines. When
    nothing would be left, the whole text (stripped): a message is never emptied by stripping."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    wrote = [i for i, line in enumerate(lines) if "wrote" in line or "写道" in line]
    near_wrote = {start for i in wrote for start in range(i - WINDOW + 1, i + 1)}
    kept, i, cut = [], 0, False
    while i < len(lines):
        if not (i in near_wrote or CANDIDATE.match(lines[i])):
            kept.append(lines[i].rstrip())
            cut = cut and not lines[i].strip()
            i += 1
            continue
        if QUOTED.match(lines[i]):
            cut, i = True, i + 1
            continue
        span = _wrote_header(lines, i) if i in near_wrote else 0
        if span and _interleaved(lines, i + span):
            i += span
            continue
        if span or _cut_here(lines, i):
            cut = True
            break
        kept.append(lines[i].rstrip())
        cut, i = False, i + 1
    while cut and kept and (not kept[-1].strip() or BARE_ADDRESS.match(kept[-1])):
        kept.pop()  # what stood right before the history: blank lines, Foxmail's sender address
    reply = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return reply or (text or "").strip()
