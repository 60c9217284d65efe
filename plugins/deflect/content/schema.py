"""The front-matter schema for articles and FAQ entries.

Validated like configuration: unknown keys and wrong types are errors that name the key's line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .frontmatter import SourceText
from .problems import Problem, error

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICON_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+$")
"""A Material icon name: the path of its SVG, e.g. ``material/truck`` or ``fontawesome/solid/box``."""
_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(day|days|d|week|weeks|w|month|months|m|year|years|y)\s*$", re.I)
_PERIOD_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
TITLE_MAX_LENGTH = 200


class ArticleType(str, Enum):
    ARTICLE = "article"
    TROUBLESHOOTING = "troubleshooting"
    HOWTO = "howto"


class Audience(str, Enum):
    PUBLIC = "public"
    INTERNAL = "internal"


def parse_period(value: Any) -> int:
    """``180``, ``"90 days"``, ``"6 months"``, ``"1 year"`` → days."""
    if isinstance(value, bool):
        raise ValueError("expected a number of days or a period such as '6 months'")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("must be a positive number of days")
        return value
    if isinstance(value, str):
        match = _PERIOD_RE.match(value)
        if match:
            amount = int(match.group(1))
            if amount <= 0:
                raise ValueError("must be a positive period")
            unit = match.group(2)[0].lower()
            if unit == "m":  # months: 12 months is a year, as "1 year" is
                return round(amount * 365 / 12)
            return amount * _PERIOD_DAYS[unit]
    raise ValueError(f"expected a number of days or a period such as '6 months', got {value!r}")


def _strict_date(value: Any) -> Any:
    # YAML already turns 2026-10-02 into a date; anything else (a datetime, a number, free text) is a mistake.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def _string_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        raise ValueError("expected a list, e.g. [password, sign-in]")
    return value


StrictDate = Annotated[dt.date, BeforeValidator(_strict_date)]
Period = Annotated[int, BeforeValidator(parse_period)]
TextList = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_string_list)]


class _FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)

    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
    category: Annotated[str, Field(min_length=1)]
    tags: TextList = []
    topics: TextList = []
    audience: Audience = Audience.PUBLIC
    owner: str | None = None
    reviewed: StrictDate | None = None
    review_every: Period | None = None
    published: StrictDate | None = None
    translation_of: str | None = None
    original: bool = False
    """Written first in a language other than the default one: not a translation, so it needs no source."""

    @field_validator("title", "category", "owner", "translation_of", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"expected text, got {type(value).__name__} {value!r}")
        return value.strip() if isinstance(value, str) else value

    @field_validator("topics")
    @classmethod
    def _topic_slugs(cls, value: list[str]) -> list[str]:
        for topic in value:
            if not SLUG_RE.match(topic):
                raise ValueError(f"topic {topic!r} must be lowercase words joined by hyphens, e.g. 'password-reset'")
        return value


class ArticleFrontMatter(_FrontMatter):
    """Front matter of a knowledge-base article or troubleshooting guide."""

    summary: Annotated[str, Field(min_length=1, max_length=300)]
    type: ArticleType = ArticleType.ARTICLE

    @field_validator("summary", mode="before")
    @classmethod
    def _summary_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {type(value).__name__} {value!r}")
        return value.strip()


class FaqFrontMatter(_FrontMatter):
    """Front matter of one FAQ entry: ``title`` is the question, the body the answer."""

    summary: str | None = None
    order: int | None = None


def validate_front_matter(
    model: type[_FrontMatter], source: SourceText, rel: str
) -> tuple[_FrontMatter | None, list[Problem]]:
    """Validate front matter against ``model``; one problem per wrong key, on that key's line."""
    try:
        return model.model_validate(source.meta), []
    except ValidationError as exc:
        allowed = sorted(model.model_fields)
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            key = str(loc[0]) if loc else ""
            if err["type"] == "extra_forbidden":
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(allowed)})"
                problems.append(error(rel, source.line_of(*loc), f"unknown front-matter key '{key}'{suggestion}"))
            elif err["type"] == "missing":
                problems.append(error(rel, source.front_matter_line, f"missing required front-matter key '{key}'"))
            else:
                problems.append(error(rel, source.line_of(*loc), f"front-matter key '{_loc_text(loc)}': {_clean(err)}"))
        return None, problems


def _loc_text(loc: tuple[Any, ...]) -> str:
    text = str(loc[0])
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _clean(err: Any) -> str:
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if err["type"] == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{err['input']!r} is not allowed; use one of {expected}"
    return message
