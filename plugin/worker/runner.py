"""Run one claimed job: the pipeline, the ledger, the report, the new state."""

from __future__ import annotations

import datetime as dt
import logging
from random import Random

from starlette.concurrency import run_in_threadpool

from plugin.app.metrics import JOB_OUTCOMES
from plugin.app.state import AppState
from plugin.context import PipelineContext, utc_now
from plugin.errors import PayloadError, PluginError, SettingsError
from plugin.ledger import record_outcome
from plugin.logs import job_log_context
from plugin.outcome import FulfillmentOutcome
from plugin.pipeline import report_outcome, run_fulfillment_created
from plugin.routing.store_costs import StoreCostTable
from plugin.saleor.payload import parse_fulfillment_created
from plugin.store import CipherError, Job
from plugin.worker.backoff import is_final, job_retry_delay
from plugin.worker.clients import ClientPool

__all__ = ["JobRunner"]

logger = logging.getLogger(__name__)


class JobRunner:
    """Processes claimed jobs for one worker (``owner``)."""

    def __init__(
        self, state: AppState, clients: ClientPool, owner: str, random: Random
    ) -> None:
        self.state = state
        self.clients = clients
        self.owner = owner
        self.random = random

    async def run(self, job: Job) -> str:
        """Process ``job`` and store its new state; return the result label."""
        with job_log_context(
            job=job.id, order=job.order_number, fulfillment=job.fulfillment_id
        ):
            return await self._run(job)

    async def _run(self, job: Job) -> str:
        installation = await self.state.installation(job.saleor_api_url)
        if installation is None:
            return await self._fail(
                job, "the app is no longer installed in this Saleor; reinstall it"
            )
        try:
            settings = self.state.settings_for(installation)
            event = parse_fulfillment_created(self.state.open_payload(job.payload))
        except (SettingsError, PayloadError, CipherError) as error:
            return await self._fail(job, str(error))

        context = PipelineContext(
            settings=settings,
            digitalriver=self.clients.digitalriver(settings, event),
            plugin_manager=self.state.plugin_manager,
            saleor_api_url=job.saleor_api_url,
            saleor=self.clients.saleor(installation),
            job_id=job.id,
            attempt=job.runs,
            reconcile=job.runs > 1,
            cost_table=await self._cost_table(),
        )
        outcome = await run_fulfillment_created(event, context)
        await run_in_threadpool(record_outcome, self.state.store, outcome, job.id)
        outcome = self._with_finality(job, outcome)
        _log_outcome(job, outcome)

        try:
            await report_outcome(outcome, context)
        except PluginError as error:
            return await self._after_report_failure(job, error, error.transient)
        except Exception as error:
            # A merchant's reporter failed: retry it, since Digital River is
            # not asked twice (every later run looks its requests up first).
            logger.exception("job.reporter_crashed job=%s", job.id)
            return await self._after_report_failure(job, error, transient=True)
        return await self._settle(job, outcome)

    async def _cost_table(self) -> StoreCostTable | None:
        store = self.state.store
        has_costs = await run_in_threadpool(store.has_costs)
        return StoreCostTable(store) if has_costs else None

    def _with_finality(
        self, job: Job, outcome: FulfillmentOutcome
    ) -> FulfillmentOutcome:
        if outcome.succeeded or not outcome.transient:
            return outcome.model_copy(update={"final": True})
        final = is_final(job.created_at, utc_now(), self.state.config.max_job_age)
        return outcome.model_copy(update={"final": final})

    async def _settle(self, job: Job, outcome: FulfillmentOutcome) -> str:
        store = self.state.store
        if outcome.succeeded:
            await run_in_threadpool(
                store.complete_job,
                job.id,
                self.owner,
                outcome.model_dump_json(),
                utc_now(),
            )
            return "succeeded"
        if outcome.final:
            return await self._fail(job, outcome.error or "failed")
        return await self._reschedule(job, outcome.error or "failed")

    async def _after_report_failure(
        self, job: Job, error: Exception, transient: bool
    ) -> str:
        message = f"reporting to Saleor failed: {error}"
        logger.warning(
            "job.report_failed job=%s order=%s fulfillment=%s error=%s",
            job.id,
            job.order_number,
            job.fulfillment_id,
            error,
        )
        if transient and not is_final(
            job.created_at, utc_now(), self.state.config.max_job_age
        ):
            return await self._reschedule(job, message)
        return await self._fail(job, message)

    async def _reschedule(self, job: Job, error: str) -> str:
        config = self.state.config
        delay = job_retry_delay(
            job.attempts,
            self.random,
            config.retry_base_seconds,
            config.retry_max_seconds,
        )
        when = utc_now() + dt.timedelta(seconds=delay)
        await run_in_threadpool(
            self.state.store.reschedule_job, job.id, self.owner, error, when
        )
        logger.warning(
            "job.rescheduled job=%s order=%s fulfillment=%s attempt=%s delay=%.1f error=%s",
            job.id,
            job.order_number,
            job.fulfillment_id,
            job.attempts,
            delay,
            error,
        )
        return "retried"

    async def _fail(self, job: Job, error: str) -> str:
        await run_in_threadpool(
            self.state.store.fail_job, job.id, self.owner, error, utc_now()
        )
        logger.error(
            "job.failed job=%s order=%s fulfillment=%s error=%s",
            job.id,
            job.order_number,
            job.fulfillment_id,
            error,
        )
        return "failed"


def _log_outcome(job: Job, outcome: FulfillmentOutcome) -> None:
    JOB_OUTCOMES.labels(result=outcome.status).inc()
    logger.info(
        "job.outcome job=%s order=%s fulfillment=%s status=%s transient=%s final=%s "
        "dr_fulfillments=%s",
        job.id,
        outcome.order_number,
        outcome.fulfillment_id,
        outcome.status,
        outcome.transient,
        outcome.final,
        ",".join(sent.dr_fulfillment_id for sent in outcome.sent),
    )
