"""Redaction of personal data in ticket text, and HTML to plain text: realistic positives and the numbers
support tickets are full of that must stay (versions, dates, times, error codes, order numbers, prices)."""

from __future__ import annotations

import pytest

from deflect.insights.redact import redact, strip_html

# ---------------------------------------------------------------------------- what is replaced

REPLACED = [
    # emails, also inside URLs (the URL keeps its shape)
    ("Please reply to jane.doe@example.com", "Please reply to [email]"),
    ("JANE.DOE@EXAMPLE.COM can't log in", "[email] can't log in"),
    ("from: Jane.Doe+support@Example.co.uk", "from: [email]"),
    ("mailto:billing-team@mail.example.org?subject=Refund", "mailto:[email]?subject=Refund"),
    ("my login (ivan_horvat99@gmail.com), password reset loops", "my login ([email]), password reset loops"),
    ("a@b.io and c.d@e-f.travel.", "[email] and [email]."),
    ("Jane <jane@example.com>", "Jane <[email]>"),
    ("https://shop.example.com/account?email=jane.doe@example.com&ref=mail",
     "https://shop.example.com/account?email=[email]&ref=mail"),
    ("https://shop.example.com/unsubscribe?u=jane.doe%40example.com&t=abc123",
     "https://shop.example.com/unsubscribe?u=[email]&t=abc123"),
    # phones next to other text
    ("Office: 555-123-4567 ext. 12", "Office: [phone] ext. 12"),
    ("tel:+385912345678", "tel:[phone]"),
    # a card followed by an expiry date or other digits
    ("card 4111 1111 1111 1111 exp 12/25", "card [card] exp 12/25"),
    ("4111 1111 1111 1111 12 25", "[card] 12 25"),
    # IPv4
    ("from 192.168.1.10", "from [ip]"),
    ("connect to 203.0.113.45:8080 failed", "connect to [ip]:8080 failed"),
    ("http://10.0.0.1/admin", "http://[ip]/admin"),
    ("ip=8.8.8.8, gateway 255.255.255.0.", "ip=[ip], gateway [ip]."),
]


PHONES = ["+385 1 234 5678", "+385 91 234 5678", "+385912345678", "+1 (555) 123-4567", "+44 20 7946 0958",
          "+49 30 12345678", "+33 1 23 45 67 89", "(555) 123-4567", "(01) 234 5678", "555-123-4567", "555.123.4567",
          "555 123 4567", "1-800-555-0199", "0912345678", "091 234 5678", "01.23.45.67.89", "06 12 34 56 78",
          "555-1234"]
CARDS = ["4111 1111 1111 1111",  # Visa test number
         "4111-1111-1111-1111", "4111111111111111",
         "5555 5555 5555 4444",  # Mastercard
         "3782 822463 10005", "378282246310005",  # Amex, 4-6-5
         "6011 0009 9013 9424",  # Discover
         "4222222222222"]  # 13 digits


@pytest.mark.parametrize("number, placeholder", [(p, "[phone]") for p in PHONES] + [(c, "[card]") for c in CARDS])
def test_phones_and_cards(number, placeholder):
    assert redact(number) == placeholder
    assert redact(f"Call me on {number} after 5pm.") == f"Call me on {placeholder} after 5pm."


# unbroken ten-digit numbers, national numbers with their trunk 0 grouped any way, obfuscated emails, IBANs
MORE_REPLACED = [
    ("call 5551234567 after 5", "call [phone] after 5"),
    ("my cell is 2125550123.", "my cell is [phone]."),
    ("UK mobile 07700 900123 please", "UK mobile [phone] please"),
    ("ring 07700900123", "ring [phone]"),
    ("Berlin office 030 12345678", "Berlin office [phone]"),
    ("Handy 0170-1234567", "Handy [phone]"),
    ("bel me op 06-12345678", "bel me op [phone]"),
    ("appelez le 06-12-34-56-78", "appelez le [phone]"),
    ("London 020 7946 0958", "London [phone]"),
    ("Manchester 0161 496 0000", "Manchester [phone]"),
    ("llámame al 612 34 56 78", "llámame al [phone]"),
    ("write to jane.roe(at)example.com today", "write to [email] today"),
    ("Contact jane dot roe at example dot com please", "Contact [email] please"),
    ("jane[at]example[dot]com", "[email]"),
    ("jane [at] example [dot] com", "[email]"),
    ("j.roe {at} mail.example.co.uk", "[email]"),
    ("jane (at) example (dot) co (dot) uk!", "[email]!"),
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [iban] thanks"),
    ("iban: DE89370400440532013000.", "iban: [iban]."),
    ("GB82 WEST 1234 5698 7654 32", "[iban]"),
    ("pay to gb82west12345698765432 by Friday", "pay to [iban] by Friday"),
    ("HR1210010051863000160 and FR14 2004 1010 0505 0001 3M02 606", "[iban] and [iban]"),
]


@pytest.mark.parametrize("text, expected", REPLACED + MORE_REPLACED)
def test_replaced(text, expected):
    assert redact(text) == expected


MORE_LEFT_ALONE = [
    "Firefox 115.0.1 crashes",
    "version 115.0.1 since 2025-03-04",
    "updated 04.03.2025, then 4/3/2025",
    "order AB-5551234567 not delivered",
    "order 5551234567 not delivered",
    "ticket #2125550123 reopened",
    "ORD5551234567X",
    "timestamp 2681740000",
    "unix time 1681740000",
    "build 2023110101",
    "serial 2023041701",
    "look at example.com for details",
    "I looked at it dot by dot",
    "meet at 10 at the office",
    "we were at home dot",
    "DE89 is my postcode area",  # too short for an IBAN
    "GB00WEST12345698765432",  # fails the mod-97 check
    "HTTP 503 at 14:30:15",
]


@pytest.mark.parametrize("text", MORE_LEFT_ALONE)
def test_more_ordinary_text_is_left_alone(text):
    assert redact(text) == text


# ---------------------------------------------------------------------------- what stays

LEFT_ALONE = [
    # URLs without personal data
    "https://help.example.com/en/orders/track/?q=refund&page=2",
    "https://example.com/users/profile/settings",
    # not emails
    "contact support@ the help desk",
    "ssh admin@localhost fails",
    "the @media rule in my CSS",
    "price is 5@10 units",
    # versions, dates, times, codes, order numbers, prices: not phones
    "Firefox 102.1.2 crashes on checkout",
    "Chrome 112.0.5615.49 (Official Build)",
    "Windows 10 build 19045.2965",
    "app version 4.12.0 (2023041701)",
    "Ordered on 2023-04-17, shipped 17.04.2023, arrived 04/17/2023",
    "2023-04-17T14:30:00Z",
    "since 2023-04-17 09:15 nothing works",
    "at 14:30 and again 14:30:15 and 2:30 PM",
    "error 404 on the orders page",
    "HTTP 500, then 503",
    "order 123456789012 is missing",
    "order #10023456 and ticket #123456",
    "invoice INV-2023-000123",
    "total $1,234.56 (1.234,56 EUR)",
    "years 2019 2020 2021",
    "in 2021 2022 it worked",
    "seasons 2021-2022",
    "order 1234567 2 items",
    "unix time 1681740000",
    "tracking 1Z999AA10123456784",
    "error code 0x80070005",
    "ZIP 10000 Zagreb",
    "step 3 of 5, 2 x 250 ml",
    # long digit runs that fail Luhn: not cards
    "order 4111 1111 1111 1112 (fails Luhn)",
    "reference 1234 5678 9012 3456",
    "ID 12345678901234567890123",
    # versions shaped like addresses, and what is no address
    "version 10.0.0.1 of the firmware",
    "v 1.2.3.4",
    "build: 4.2.1.0",
    "server 10.0.0.256 is down",
    "256.1.1.1",
    "1.2.3.4.5",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(text):
    assert redact(text) == text


# ---------------------------------------------------------------------------- usernames


def test_usernames_whole_word_case_insensitive_and_at():
    text = "hi @jdoe and JDOE, not jdoes or jdoe.smith. Thanks jdoe."
    assert redact(text, ["jdoe"]) == "hi [user] and [user], not jdoes or jdoe.smith. Thanks [user]."


def test_usernames_with_dots_and_regex_characters():
    assert redact("ana.k wrote to Ana.K and @ana.k", ["Ana.K"]) == "[user] wrote to [user] and [user]"
    assert redact("user c++dev says hi", ["c++dev"]) == "user [user] says hi"
    assert redact("@marko_1: see /users/marko_1/orders", ["@marko_1"]) == "[user]: see /users/[user]/orders"


def test_usernames_ignore_blanks_and_placeholders():
    assert redact("email me", ["", "  "]) == "email me"
    # a username that is also a placeholder word does not break placeholders
    assert redact("write to jane@example.com, user", ["email", "user"]) == "write to [email], [user]"


def test_username_in_email_goes_with_the_email():
    assert redact("jdoe@example.com", ["jdoe"]) == "[email]"


# ---------------------------------------------------------------------------- together


def test_realistic_ticket():
    text = ("Hi, I'm Ivan (ivan.horvat@example.hr, +385 91 234 5678). Order #100234 from 2023-04-17 was "
            "charged twice on 4111 1111 1111 1111. App 4.12.0 on Android 13, IP 93.184.216.34. -- ivanh")
    assert redact(text, ["ivanh"]) == (
        "Hi, I'm Ivan ([email], [phone]). Order #100234 from 2023-04-17 was charged twice on [card]. "
        "App 4.12.0 on Android 13, IP [ip]. -- [user]")


def test_empty_and_clean_text():
    assert redact("") == ""
    assert redact("How do I reset my password?") == "How do I reset my password?"


# ---------------------------------------------------------------------------- strip_html


@pytest.mark.parametrize("html, text", [
    ("<p>Hello&nbsp;<b>world</b></p><p>Next</p>", "Hello world Next"),
    ("<script>alert(1)</script>Hi <style>p{color:red}</style>there", "Hi there"),
    ("<SCRIPT type='text/javascript'>x()</SCRIPT>ok", "ok"),
    ("Fish &amp; chips &lt;3 &#169; &copy;", "Fish & chips <3 © ©"),
    ("<!-- a comment -->x<br>y", "x y"),
    ("Line1<br/>Line2<li>item</li>", "Line1 Line2 item"),
    ('<div\n class="x">  spaced \t\n text </div>', "spaced text"),
    ("unclosed <b>bold", "unclosed bold"),
    ("a < b and c > d", "a < b and c > d"),
    ("From: Jane <jane@example.com>", "From: Jane <jane@example.com>"),
    ("plain   text\n\nwith  space", "plain text with space"),
    ("", ""),
])
def test_strip_html(html, text):
    assert strip_html(html) == text


def test_strip_then_redact():
    assert redact(strip_html("<p>Mail <a href='mailto:a@b.com'>a@b.com</a></p>")) == "Mail [email]"


# ---------------------------------------------------------------------------- the gap report's outputs

PERSONAL = {"5551234567": "call 5551234567 about my refund", "07700 900123": "refund to 07700 900123 please",
            "030 12345678": "refund? ring 030 12345678", "jane.roe(at)example.com": "refund jane.roe(at)example.com",
            "jane dot roe at example dot com": "refund for jane dot roe at example dot com",
            "jane[at]example[dot]com": "refund jane[at]example[dot]com",
            "DE89 3704 0044 0532 0130 00": "refund to IBAN DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432": "refund to GB82WEST12345698765432"}


def test_no_personal_data_reaches_the_gaps_json_csv_or_html(tmp_path):
    """Each ticket is its topic's only one, so its subject is a sample in every output, and the same
    text as a zero-result search from the collector's database."""
    import datetime as dt
    import json
    import sys
    from pathlib import Path

    from deflect.collector.store import Store

    sys.path.insert(0, str(Path(__file__).parent))
    from test_insights import run, synthetic_center

    synthetic_center(tmp_path, {"other": ("other-things", dt.date(2025, 1, 1))})
    export = tmp_path / "tickets.jsonl"
    export.write_text("".join(json.dumps({"id": n, "created": f"2025-03-{n + 1:02d}T10:00:00Z", "subject": subject,
                                          "body": f"Details: {subject}.", "topic": f"refund-{n}"}) + "\n"
                              for n, subject in enumerate(PERSONAL.values())), encoding="utf-8")
    db = tmp_path / "feedback.db"
    store = Store(f"sqlite:///{db}")
    for subject in PERSONAL.values():
        store.add_event("search", query=subject, results=0)
    store.close()
    out = tmp_path / "out"
    code, _, err = run(tmp_path, "gaps", "--tickets", str(export), "--db", f"sqlite:///{db}",
                       "--json", str(out / "gaps.json"), "--csv", str(out / "gaps.csv"), "--html", str(out / "report"))
    assert code == 0, err
    texts = {name: (out / name).read_text(encoding="utf-8") for name in ("gaps.json", "gaps.csv", "report/index.html")}
    assert all("refund" in text for text in texts.values())  # the samples are there…
    for name, text in texts.items():
        for secret in PERSONAL:  # …without the personal data
            for form in (secret, secret.replace(" ", ""), json.dumps(secret)[1:-1]):
                assert form not in text, f"{secret!r} in {name}"
        assert "[phone]" in text and "[email]" in text and "[iban]" in text, name
