"""Problems found in help content, each tied to a file and line so authors can jump to it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..escaping import html_markup


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content: where it is and what to do about it.

    ``path`` is relative to the project root (as authors see it in a pull request) and
    ``line`` is 1-based.
    """

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR
    fatal: bool = False
    """The build must stop even without ``--strict``: publishing would leak internal content or
    the file was made to exhaust the build (see ``check.blocking``)."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """``path:line: message`` for errors, ``path:line: warning: message`` for warnings."""
        prefix = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def __str__(self) -> str:
        return self.format()


def error(path: str, line: int, message: str, *, fatal: bool = False) -> Problem:
    return Problem(path, max(line, 1), message, Severity.ERROR, fatal)


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, max(line, 1), message, Severity.WARNING)


def markup_in_plain_text(field: str, value: str | None) -> str | None:
    """The message for HTML in a plain-text field (a title, a summary), or ``None``.

    The site escapes these fields anyway; the error tells the author that markup shows as
    literal characters rather than formatting.
    """
    tag = html_markup(value or "")
    if tag is None:
        return None
    kind = "titles" if field.endswith("title") else "summaries" if field.endswith("summary") else "descriptions"
    return f"{field} contains HTML markup ({tag}); write plain text – Markdown/HTML is not allowed in {kind}"
