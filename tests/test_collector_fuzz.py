"""Fuzzing the collector's API from its OpenAPI schema: no input gives a 5xx.

Only this module needs schemathesis, so without it only this test skips (and fails under CI=true),
not the collector's other tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from deflect.collector.app import create_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed: pip install -e '.[test]'")
from hypothesis import HealthCheck, settings  # noqa: E402

SITE = "https://help.example.com"
_FUZZ_DIR = Path(tempfile.mkdtemp(prefix="deflect-fuzz-"))
_FUZZ_APP = create_app(f"sqlite:///{_FUZZ_DIR / 'fuzz.db'}", [SITE], rate=0)
schema = schemathesis.openapi.from_asgi("/openapi.json", _FUZZ_APP)

pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_no_5xx(case):
    response = case.call()
    assert response.status_code < 500, (case, response.text)
