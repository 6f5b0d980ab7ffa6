"""Logging set-up for the command line: text or JSON lines, secrets masked."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

__all__ = [
    "JobContextFilter",
    "JsonFormatter",
    "RedactingFilter",
    "configure_logging",
    "job_log_context",
]

_SECRET = re.compile(
    r"(Bearer\s+)[A-Za-z0-9._~+/=-]+|sk_(?:test|live)_[A-Za-z0-9_]+", re.IGNORECASE
)
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


_JOB_CONTEXT: contextvars.ContextVar[tuple[tuple[str, object], ...]] = (
    contextvars.ContextVar("dr_distributor_job", default=())
)


@contextlib.contextmanager
def job_log_context(**ids: object) -> Iterator[None]:
    """Attach ``ids`` (job, order, fulfillment) to every record logged inside.

    The ids follow the current task and the tasks it starts, so the Digital
    River client's request lines carry the job they belong to.
    """
    token = _JOB_CONTEXT.set((*_JOB_CONTEXT.get(), *ids.items()))
    try:
        yield
    finally:
        _JOB_CONTEXT.reset(token)


class JobContextFilter(logging.Filter):
    """Copy the ids of ``job_log_context`` onto each record as attributes."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _JOB_CONTEXT.get():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def redact(text: str) -> str:
    """Mask bearer tokens and Digital River secret keys in ``text``."""
    return _SECRET.sub(lambda match: f"{match.group(1) or ''}[redacted]", text)


class RedactingFilter(logging.Filter):
    """Mask bearer tokens and Digital River keys in every record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int, log_format: str = "text") -> None:
    """Send log lines to standard error as text or JSON, with secrets masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.addFilter(JobContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request at INFO; the clients log their own request lines.
    logging.getLogger("httpx").setLevel(
        level if level <= logging.DEBUG else logging.WARNING
    )
