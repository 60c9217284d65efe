"""The content model: load, validate and cross-link a help center's articles and FAQ entries.

This package never imports MkDocs; the plugins and the CLI are adapters over it.
"""

from .check import CheckReport, check_help_center, check_report
from .loader import load_help_center
from .model import Category, Document, DocumentKind, Content
from .problems import Problem, Severity
from .settings import ContentSettings, Language, SettingsError, find_config_file, load_settings

__all__ = [
    "Category", "CheckReport", "ContentSettings", "Document", "DocumentKind", "Content", "Language",
    "Problem", "SettingsError", "Severity", "check_help_center", "check_report", "find_config_file",
    "load_help_center", "load_settings",
]
