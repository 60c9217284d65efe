"""What forked helper processes (the search worker's, the page helper) share."""
from __future__ import annotations

import os


def end_with_parent(parent: int, signum: int) -> None:
    """In a forked process: get ``signum`` when ``parent`` dies, however it dies (Linux's
    PR_SET_PDEATHSIG); if it died before the request, the signal comes at once. Elsewhere nothing."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the caller's other ways of ending it still hold
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)
