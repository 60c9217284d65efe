"""The feedback collector: an HTTP API (``deflect serve``) and the managers' report (``deflect feedback``)."""

from .store import Store, Vote

__all__ = ["Store", "Vote", "create_app"]


def create_app(*args, **kwargs):  # imported lazily: FastAPI is only needed to serve
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
