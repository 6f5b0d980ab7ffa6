"""Log set-up: JSON lines carry job ids, secrets are masked."""

import io
import json
import logging

import pytest

from plugin.logs import (
    JobContextFilter,
    JsonFormatter,
    RedactingFilter,
    job_log_context,
    redact,
)


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.addFilter(JobContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_job_ids_on_every_line_inside_context(json_log):
    logger, stream = json_log

    with job_log_context(job=7, order="1042", fulfillment="RnVs"):
        logger.info(
            "digitalriver.request status=%s", 201, extra={"dr_request_id": "req-1"}
        )
    logger.info("outside")

    inside, outside = lines(stream)
    assert inside["job"] == 7
    assert inside["order"] == "1042"
    assert inside["fulfillment"] == "RnVs"
    assert inside["dr_request_id"] == "req-1"
    assert "job" not in outside


def test_secrets_masked(json_log):
    logger, stream = json_log

    logger.info(
        "sending Authorization: Bearer abc.def.ghi with key %s", "sk_live_123abc"
    )

    (line,) = lines(stream)
    assert "abc.def.ghi" not in line["message"]
    assert "sk_live_123abc" not in line["message"]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [("Bearer eyJhbGciOi.x.y", "eyJhbGciOi"), ("key=sk_test_abc123", "sk_test_abc123")],
)
def test_redact(text, hidden):
    assert hidden not in redact(text)
