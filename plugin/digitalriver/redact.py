"""Log filter that masks Digital River secrets in log records.

The client never logs its API key, but an exception text or a third-party
library might. Install the filter on the handlers, because a filter attached
to a logger does not see records that propagate from its child loggers.
"""

from __future__ import annotations

import logging
import re

__all__ = ["RedactSecretsFilter", "redact_secrets"]

MASK = "[REDACTED]"

_BEARER = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]+")
_SECRET_KEY = re.compile(r"\bsk_(test|live)_[A-Za-z0-9_]+")


def redact_secrets(text: str) -> str:
    """Replace bearer tokens and ``sk_test_``/``sk_live_`` keys with a mask."""
    text = _BEARER.sub(rf"\1 {MASK}", text)
    return _SECRET_KEY.sub(rf"sk_\1_{MASK}", text)


class RedactSecretsFilter(logging.Filter):
    """Mask secrets in the message, the exception text and the stack of a record.

    The message is formatted with its arguments first, so a key passed as a
    ``%s`` argument is masked too. The record is changed in place and always
    passes the filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_secrets(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True
