"""The reasons a reader can give when an article did not help: declared once, here.

The collector validates votes against :data:`FeedbackReason`, its store and report count them in the
order of :data:`FEEDBACK_REASONS`, and the widget template renders one choice per reason (its label is
the interface string ``feedback_reason_<reason>``) and passes the list to ``feedback.js`` in the
page's feedback config.
"""

from __future__ import annotations

from typing import Literal, get_args

FeedbackReason = Literal["incorrect", "unclear", "outdated", "not_solved", "other"]
#: The reasons in the order the widget offers them and the report lists them.
FEEDBACK_REASONS: tuple[str, ...] = get_args(FeedbackReason)
