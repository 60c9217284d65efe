"""Build a help center with MkDocs from Python (used by ``deflect build`` and the tests)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

PLUGIN = "deflect/content"


class BuildFailed(RuntimeError):
    """The site could not be built; the message says why."""


def build_site(config_file: Path, site_dir: Path, *, internal: bool = False, strict: bool = False,
               quiet: bool = False) -> None:
    """Build the site of ``config_file`` into ``site_dir`` (the internal site when ``internal``)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logger = logging.getLogger("mkdocs")
    handler = None
    if not logger.handlers and not quiet:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        if internal:
            if PLUGIN not in config.plugins:
                raise BuildFailed(f"{config_file}: the {PLUGIN} plugin is not enabled, so there is no internal site")
            config.plugins[PLUGIN].config.audience = "internal"
        # As `mkdocs build` does: MkDocs keeps the plugins that define on_startup for the whole process,
        # so one left in another mode (an earlier `serve` in this process) is told it builds now.
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise BuildFailed(str(exc) or exc.__class__.__name__) from exc
    finally:
        if handler is not None:
            logger.removeHandler(handler)
