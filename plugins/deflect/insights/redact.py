"""Take personal data out of ticket text before it reaches a report.

:func:`redact` swaps emails (also obfuscated ones), IBANs, payment cards, IPv4 addresses, phone numbers
and given usernames for the placeholders ``[email]``, ``[iban]``, ``[card]``, ``[ip]``, ``[phone]`` and
``[user]``. It errs on the side of leaving
numbers that people write in support tickets (versions, dates, times, error codes, order numbers, prices)
alone: a number becomes ``[phone]`` only when it is shaped like one (an international prefix, an area code
in brackets, grouped digits, a national number with its leading 0, or ten unbroken digits starting 2–9 like a
North American number, not after "order", "ticket #" and the like). :func:`strip_html` turns a short HTML
snippet (a ticket subject or body excerpt) into plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

EMAIL, PHONE, CARD, IP, USER, IBAN = "[email]", "[phone]", "[card]", "[ip]", "[user]", "[iban]"

# local part, then "@" or its URL-encoded form (an email in a query string), then a dotted domain
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]*\w(?:@|%40)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}\b", re.I)

# An address written so that robots miss it: "jane.roe(at)example.com", "jane[at]example[dot]com",
# "jane dot roe at example dot com". A bracketed "at" is enough; a bare " at " also needs a spelled-out
# "dot" in the domain, so "look at example.com" stays.
_AT_BRACKETED = r"\s*[\[({<]\s*at\s*[\])}>]\s*"
_DOT_WORD = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_LOCAL = rf"[\w%+-]+(?:(?:\.|{_DOT_WORD})[\w%+-]+)*"
_TLD = r"[a-z]{2,24}\b"
# after a bare "at", only domains people spell out: "looked at it dot by dot" is no address
_COMMON_TLD = (r"(?:com|org|net|edu|gov|mil|int|io|info|biz|me|co|uk|de|fr|hr|ee|ph|nl|es|it|pt|br|ca|au|us|eu|ch|"
               r"be|se|no|dk|fi|pl|cz|sk|si|rs|ru|in|jp|cn|mx|ar|ie|nz|za)\b")
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.%+-]){_LOCAL}(?:{_AT_BRACKETED}(?:{_LABEL}(?:\.|{_DOT_WORD}))+{_TLD}"
    rf"|\s+at\s+(?:{_LABEL}(?:\.|{_DOT_WORD}))*{_LABEL}{_DOT_WORD}{_COMMON_TLD})", re.I)

# An IBAN: country code, two check digits, 11–30 letters or digits, grouped by fours or not; kept only
# when the ISO 7064 mod-97 check holds (on the longest stretch that passes, so a word after it stays).
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}", re.I)

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")

# 13–19 digits, single spaces or dashes between them; checked with Luhn (and shortened by trailing groups)
_CARD = re.compile(r"(?<![\w.+-])\d(?:[ -]?\d){12,22}(?![\w]|[.-]\d)")

# an optional +country code, an optional (area code), then digit groups split by single spaces, dots or dashes
_PHONE = re.compile(r"(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d+(?:[ .-]\d+){0,5}(?![\w]|[.:/-]\d)")

# "version 10.0.0.1", "build 1.2.3.4", "v 2.1.0.3": a version that happens to look like an address
_VERSION_BEFORE = re.compile(r"(?:\b(?:version|ver|vers|build|release|firmware|update|app|v)\.?\s*:?\s*)$", re.I)

# "order 5551234567", "ticket #2125550123", "timestamp 1681740000": an identifier, not a phone
_ID_BEFORE = re.compile(r"(?:\b(?:order|invoice|ticket|case|ref|reference|id|tracking|serial|sku|build|version|"
                        r"error|code|time|timestamp|epoch|account|customer|transaction)\.?\s*[:#]?\s*|#\s*)$", re.I)

# "2023041701": a build or serial stamped with a date (YYYYMMDD and two more digits)
_STAMP = re.compile(r"(?:199\d|20\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d\d$")

_DATE = re.compile(r"(?:(19|20)\d\d[-./](0?[1-9]|1[0-2])[-./](0?[1-9]|[12]\d|3[01])"
                   r"|(0?[1-9]|[12]\d|3[01])[-./](0?[1-9]|[12]\d|3[01])[-./]((19|20)?\d\d))")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    text = m.group(0)
    groups = list(re.finditer(r"\d+", text))
    # the run may hold more than the card ("4111 1111 1111 1111 12 25"): the longest Luhn-valid stretch of
    # whole groups with 13–19 digits, the first one found
    spans = sorted(((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups) + 1)),
                   key=lambda ij: (ij[0] - ij[1], ij[0]))
    for i, j in spans:
        digits = "".join(g.group(0) for g in groups[i:j])
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return text[:groups[i].start()] + CARD + text[groups[j - 1].end():]
    return text


def _iban_valid(compact: str) -> bool:
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _ibans(text: str) -> str:
    """``text`` with each IBAN replaced. A match may run past the IBAN into the words after it
    ("DE89 3704 … 00 THANKS"): each end at a space is tried, longest first, and the search goes
    on right after the IBAN found (or one character after a match that holds none)."""
    out, pos = [], 0
    m = _IBAN.search(text)
    while m is not None:
        found = m.group(0)
        glued = m.end() < len(text) and text[m.end()].isalnum()
        ends = [i + 1 for i, ch in enumerate(found) if ch != " " and (i + 1 < len(found) and found[i + 1] == " "
                                                                      or i + 1 == len(found) and not glued)]
        end = next((e for e in reversed(ends) if _iban_valid(found[:e].replace(" ", "").upper())), None)
        if end is None:
            m = _IBAN.search(text, m.start() + 1)
            continue
        out += [text[pos:m.start()], IBAN]
        pos = m.start() + end
        m = _IBAN.search(text, pos)
    return "".join(out) + text[pos:] if out else text


def _after_version_word(m: re.Match[str]) -> bool:
    return bool(_VERSION_BEFORE.search(m.string[max(0, m.start() - 20):m.start()]))


def _ip(m: re.Match[str]) -> str:
    return m.group(0) if _after_version_word(m) else IP


def _is_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        return False
    if text.startswith("+"):
        return len(digits) >= 8
    if text.startswith("("):
        return True
    groups = re.split(r"[ .-]", text)
    if len(groups) == 1:  # an unbroken run: a national number with its leading 0 ("0912345678"), or ten
        # digits shaped like a North American number (its area code starts 2–9: not a Unix time, 1…)
        return (text.startswith("0") and 9 <= len(digits) <= 11
                or len(digits) == 10 and text[0] in "23456789" and not _STAMP.match(text))
    if _DATE.fullmatch(text):
        return False
    seps = set(re.findall(r"[ .-]", text))
    if text.startswith("0") and "." not in seps and 9 <= len(digits) <= 12 and all(len(g) >= 2 for g in groups):
        return True  # a national number with its trunk 0, grouped any way: "07700 900123", "030 12345678"
    if any(len(g) > 4 for g in groups[1:-1]) or len(groups[-1]) > 5 or len(groups[0]) > 5:
        return False
    if seps == {"."} and (any(len(g) < 2 for g in groups) or len(groups) == 4 and all(len(g) <= 3 for g in groups)):
        return False  # a version number or an address-shaped string, not "555.123.4567" or "01.23.45.67.89"
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # a list of years
    if len(groups) == 2:  # "091 2345678", "555-1234": a leading 0, or a local number with a dash
        return groups[0].startswith("0") or seps == {"-"} and len(groups[0]) == 3 and len(groups[1]) == 4
    return all(len(g) >= 2 for g in groups[1:])


def _phone(m: re.Match[str]) -> str:
    text = m.group(0)
    if not _is_phone(text) or _after_version_word(m):
        return text
    if text.isdigit() and _ID_BEFORE.search(m.string[max(0, m.start() - 24):m.start()]):
        return text  # an unbroken run after "order", "ticket #", …: an identifier
    return PHONE


def _user_pattern(usernames: Iterable[str]) -> re.Pattern[str] | None:
    names = sorted({n.strip().lstrip("@") for n in usernames if n and n.strip().lstrip("@")}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    # whole word: no word character, dot, dash or @ glued on either side ("[user]" placeholders stay)
    return re.compile(rf"(?<![\w.\-\[])@?(?:{alternatives})(?![\w\-@\]]|\.\w)", re.I)


def redact(text: str, usernames: Iterable[str] = ()) -> str:
    """``text`` with emails (also written as "jane(at)example.com" or "jane dot roe at example dot com"),
    IBANs, payment card numbers, IPv4 addresses, phone numbers and the given ``usernames``
    (case-insensitive, whole words, also written as ``@name``) replaced by placeholders."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _OBFUSCATED_EMAIL.sub(EMAIL, text)
    users = _user_pattern(usernames)
    if users is not None:
        text = users.sub(USER, text)
    text = _IPV4.sub(_ip, text)
    text = _ibans(text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)


class _Text(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "title"}
    _BLOCK = {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "hr", "section", "article", "header", "footer", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if "@" in tag:  # "Jane <jane@example.com>": an address in angle brackets, not a tag
            self.handle_data(self.get_starttag_text() or "")
        elif tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if "@" in tag:
            self.handle_data(self.get_starttag_text() or "")
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Plain text of a short HTML string: tags and comments removed, ``<script>``/``<style>`` content dropped,
    entities unescaped, white space collapsed to single spaces."""
    if not text:
        return ""
    if "<" not in text:
        return " ".join(unescape(text).split())
    parser = _Text()
    parser.feed(text)
    parser.close()
    return " ".join("".join(parser.parts).split())
