"""Spam filtering for feedback comments.

:func:`spam_verdict` returns ``None`` (clean), a short reason the comment is stored *flagged* (kept for
review, never shown in reports), or ``"reject"`` (refused with 422, nothing stored).
"""

from __future__ import annotations

import re

LINK = re.compile(r"(https?://|www\.|\[url|<a\s|\b[a-z0-9-]+\.(?:com|net|org|ru|cn|xyz|top|info|biz)\b)", re.I)
REPEAT = re.compile(r"(.)\1{9,}", re.S)
WORDS = ("viagra", "cialis", "casino", "crypto giveaway", "bitcoin giveaway", "payday loan", "porn", "xxx",
         "escort", "buy followers", "seo services", "work from home", "earn money fast", "forex signals",
         "free money", "replica watches", "weight loss pills")


def spam_verdict(comment: str | None, *, honeypot: str | None = None) -> str | None:
    if honeypot:
        return "honeypot"
    if not comment:
        return None
    text = comment.lower()
    links = len(LINK.findall(comment))
    words = sum(text.count(w) for w in WORDS)
    if links >= 5 or words >= 3 or (links >= 2 and words >= 1):
        return "reject"
    if links >= 2:
        return "links"
    if words:
        return "words"
    if REPEAT.search(comment):
        return "repeated"
    letters = [c for c in comment if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return "shouting"
    return None
