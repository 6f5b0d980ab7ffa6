"""Log lines of the client, secrets kept out of logs and reprs, and the filter."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from plugin.digitalriver import (
    DigitalRiverClient,
    DigitalRiverError,
    RedactSecretsFilter,
    redact_secrets,
)
from plugin.settings import DigitalRiverSettings
from tests.digitalriver.conftest import API_KEY, ORDER_ID, ClientFactory, make_request
from tests.digitalriver.fakes import SERVER_ERROR, ErrorReply, FakeDigitalRiver

LOGGER = "plugin.digitalriver"


def test_client_repr_has_no_key(client: DigitalRiverClient) -> None:
    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)
    assert "Bearer" not in repr(client)
    assert "api.digitalriver.test" in repr(client)


@pytest.mark.parametrize(
    "fault",
    [
        ErrorReply(401, "unauthorized", "unauthorized", message="Invalid API key."),
        SERVER_ERROR,
        "timeout",
        "connect_error",
        "drop_after_commit",
    ],
)
async def test_errors_have_no_key(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
    fault: ErrorReply | str,
) -> None:
    client = make_client(settings=settings.model_copy(update={"max_attempts": 1}))
    fake_dr.fail_next("GET", fault)

    with pytest.raises(DigitalRiverError) as caught:
        await client.get_order(ORDER_ID)

    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)
    assert "Authorization" not in str(caught.value)


async def test_logs_have_no_key(
    client: DigitalRiverClient,
    fake_dr: FakeDigitalRiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_dr.fail_next("POST", "drop_after_commit")
    fake_dr.fail_next("GET", SERVER_ERROR)

    await client.create_fulfillment(make_request())

    assert caplog.records
    assert API_KEY not in caplog.text
    assert "Bearer" not in caplog.text


async def test_one_info_line_per_request(
    client: DigitalRiverClient,
    fake_dr: FakeDigitalRiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    await client.create_fulfillment(make_request())

    lines = [
        r for r in caplog.records if r.getMessage().startswith("digitalriver.request ")
    ]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert lines[0].levelno == logging.INFO
    assert f"method=POST path=/fulfillments order_id={ORDER_ID} status=201" in message
    assert "request_id=req_test_0001" in message
    assert "attempt=1" in message
    assert "elapsed_ms=" in message


async def test_log_arguments_are_lazy(
    client: DigitalRiverClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    await client.get_order(ORDER_ID)

    record = next(r for r in caplog.records if r.msg.startswith("digitalriver.request"))
    assert "%s" in record.msg
    assert record.args


async def test_retry_logged_as_warning_with_reason_and_delay(
    client: DigitalRiverClient,
    fake_dr: FakeDigitalRiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_dr.fail_next("GET", SERVER_ERROR)

    await client.get_order(ORDER_ID)

    retries = [
        r for r in caplog.records if r.getMessage().startswith("digitalriver.retry ")
    ]
    assert len(retries) == 1
    assert retries[0].levelno == logging.WARNING
    assert "reason=status_500" in retries[0].getMessage()
    assert f"order_id={ORDER_ID}" in retries[0].getMessage()
    assert "delay_s=" in retries[0].getMessage()
    assert "internal_error" in retries[0].getMessage()


async def test_reconcile_logged_with_ids(
    client: DigitalRiverClient,
    fake_dr: FakeDigitalRiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_dr.fail_next("POST", "timeout_after_commit")

    await client.create_fulfillment(make_request())

    lines = [r.getMessage() for r in caplog.records]
    reconcile = [line for line in lines if line.startswith("digitalriver.reconcile ")]
    assert len(reconcile) == 1
    assert f"order_id={ORDER_ID}" in reconcile[0]
    assert "request_key=job-42:USD" in reconcile[0]
    assert "found=ful_0001" in reconcile[0]


async def test_duplicate_fulfillments_logged(
    client: DigitalRiverClient,
    fake_dr: FakeDigitalRiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = fake_dr.add_fulfillment(ORDER_ID, "dup")
    second = fake_dr.add_fulfillment(ORDER_ID, "dup")

    found = await client.find_fulfillment(ORDER_ID, "dup")

    assert found is not None
    assert found.id == first
    assert f"fulfillment_ids={first},{second}" in caplog.text


@pytest.mark.parametrize("fault", ["timeout", "connect_error", "drop_after_commit"])
async def test_traceback_with_httpx_cause_has_no_key(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
    fault: str,
) -> None:
    client = make_client(settings=settings.model_copy(update={"max_attempts": 1}))
    fake_dr.fail_next("GET", fault)

    with pytest.raises(DigitalRiverError) as caught:
        await client.get_order(ORDER_ID)
    text = "".join(traceback.format_exception(caught.value))

    assert isinstance(caught.value.__cause__, httpx.HTTPError)
    assert API_KEY not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer sk_test_abc123", "Authorization: Bearer [REDACTED]"),
        ("bearer abc.def-ghi", "bearer [REDACTED]"),
        ("key sk_live_AbC_123 used", "key sk_live_[REDACTED] used"),
        ("key=sk_test_xyz", "key=sk_test_[REDACTED]"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_secrets(text: str, expected: str) -> None:
    assert redact_secrets(text) == expected


def test_filter_masks_message_arguments_and_exception() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "sent %s", (f"Bearer {API_KEY}",), None
    )
    try:
        raise RuntimeError(f"failed with {API_KEY}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()

    passed = RedactSecretsFilter().filter(record)

    assert passed is True
    assert record.getMessage() == "sent Bearer [REDACTED]"
    assert record.exc_text is not None
    assert API_KEY not in record.exc_text
    assert "sk_test_[REDACTED]" in record.exc_text


def test_filter_on_handler_masks_child_logger_records() -> None:
    messages: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(RedactSecretsFilter())
    parent = logging.getLogger("redact_test")
    parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    try:
        logging.getLogger("redact_test.child").info("key %s", API_KEY)
    finally:
        parent.removeHandler(handler)

    assert messages == ["key sk_test_[REDACTED]"]
