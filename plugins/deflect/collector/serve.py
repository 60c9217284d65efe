"""The uvicorn entry point of ``deflect serve``: ``deflect.collector.serve:app`` (a factory).

The configuration comes from ``DEFLECT_COLLECTOR_CONFIG`` (JSON: db, origins, rate, burst), so every
uvicorn worker process builds the same app.
"""

from __future__ import annotations

import json
import os

from .app import create_app


def app():
    config = json.loads(os.environ.get("DEFLECT_COLLECTOR_CONFIG") or "{}")
    return create_app(config.get("db") or "sqlite:///deflect-feedback.db", config.get("origins") or None,
                      rate=float(config.get("rate", 5.0)), burst=float(config.get("burst", 40.0)))
