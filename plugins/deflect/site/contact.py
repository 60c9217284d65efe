"""Check the ``contact`` option (email, phone, chat, hours) and pick a page's contact details; no MkDocs."""

from __future__ import annotations

from typing import Any


def contact_problem(options: Any, codes: list[str], extra_contact: object = None) -> str | None:
    """What is wrong with the option (in its one place, hours only for known languages, chat a web
    address), or None; ``extra_contact`` is the retired ``extra.contact`` of mkdocs.yml."""
    if extra_contact:
        return ("extra.contact in mkdocs.yml has moved: put email, phone, chat and hours under the "
                "'contact' option of deflect/content, the one place every page takes them from")
    options = options or {}
    unknown = set(options) - {"email", "phone", "chat", "hours"}
    if unknown:
        return f"deflect/content: contact has unknown key(s) {', '.join(sorted(map(str, unknown)))}; use email, phone, chat, hours"
    hours = options.get("hours")
    if isinstance(hours, dict) and (set(hours) - set(codes)):
        return (f"deflect/content: contact.hours has unknown language(s) "
                f"{', '.join(sorted(map(str, set(hours) - set(codes))))}: use {', '.join(codes)}")
    chat = str(options.get("chat") or "")
    if chat and not chat.lower().startswith(("https://", "http://")):
        # The chat link is an href: a javascript: URL would run when a reader clicks it.
        return f"deflect/content: contact.chat must be a web address starting with https://, got {chat!r}"
    return None


def contact_options(options: Any, lang: str, default: str) -> dict[str, str]:
    """The ``contact`` option of deflect/content for a page in ``lang``: email, phone, chat, hours."""
    options = options or {}
    hours = options.get("hours")
    if isinstance(hours, dict):
        hours = hours.get(lang) or hours.get(default) or ""
    found = {"email": options.get("email"), "phone": options.get("phone"), "chat": options.get("chat"), "hours": hours}
    return {key: str(value).strip() for key, value in found.items() if value and str(value).strip()}
