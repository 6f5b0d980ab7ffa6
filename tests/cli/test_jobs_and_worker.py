"""``dr-distributor jobs`` and the ``worker`` command's signal handling."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from plugin.cli import main
from plugin.context import utc_now
from plugin.store import Store

SCRIPT = Path(sys.executable).parent / "dr-distributor"


def failed_job_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    store = Store.open(url)
    job, _ = store.enqueue_job(
        "http://127.0.0.1:1/graphql/",
        "RnVs",
        "T3Jk",
        "1042",
        "fulfillment_created",
        "{}",
        utc_now(),
    )
    (claimed,) = store.claim_jobs("w", 1, 30, utc_now())
    store.fail_job(claimed.id, "w", "no unit cost for distributor 'd'", utc_now())
    return url, job.id


def test_jobs_list_shows_failed_job(tmp_path):
    url, _ = failed_job_store(tmp_path)

    result = CliRunner().invoke(
        main, ["jobs", "list", "--database", url, "--status", "failed"]
    )

    assert result.exit_code == 0, result.output
    assert "1042" in result.output
    assert "failed" in result.output
    assert "no unit cost" in result.output


def test_jobs_show(tmp_path):
    url, job_id = failed_job_store(tmp_path)

    result = CliRunner().invoke(main, ["jobs", "show", "--database", url, str(job_id)])

    assert result.exit_code == 0, result.output
    assert "RnVs" in result.output


def test_jobs_show_unknown_id(tmp_path):
    url, _ = failed_job_store(tmp_path)

    result = CliRunner().invoke(main, ["jobs", "show", "--database", url, "999"])

    assert result.exit_code == 1
    assert "job 999 not found" in result.output


def test_jobs_retry_queues_failed_job(tmp_path):
    url, job_id = failed_job_store(tmp_path)

    result = CliRunner().invoke(main, ["jobs", "retry", "--database", url, str(job_id)])

    assert result.exit_code == 0, result.output
    assert Store.open(url).get_job(job_id).status.value == "queued"


def test_jobs_retry_refuses_queued_job(tmp_path):
    url, job_id = failed_job_store(tmp_path)
    CliRunner().invoke(main, ["jobs", "retry", "--database", url, str(job_id)])

    result = CliRunner().invoke(main, ["jobs", "retry", "--database", url, str(job_id)])

    assert result.exit_code == 1


def test_secret_key_command_prints_a_key():
    result = CliRunner().invoke(main, ["secret-key"])

    assert result.exit_code == 0
    assert len(result.output.strip()) == 44


def test_serve_requires_secret_key_outside_dev(tmp_path):
    result = CliRunner().invoke(
        main,
        ["serve", "--database", f"sqlite:///{tmp_path / 'x.sqlite3'}"],
        env={"DR_DISTRIBUTOR_SECRET_KEY": ""},
    )

    assert result.exit_code == 2
    assert "DR_DISTRIBUTOR_SECRET_KEY" in result.output


def test_worker_stops_cleanly_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    environment = {**os.environ, "DR_DISTRIBUTOR_SECRET_KEY": ""}
    process = subprocess.Popen(
        [str(SCRIPT), "--log-level", "info", "worker", "--dev", "--database", url],
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 20
        while "worker.started" not in (line := process.stderr.readline()):
            assert time.monotonic() < deadline, "worker did not start"
            assert line or process.poll() is None, "worker exited early"
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=20)[1]
    finally:
        process.kill()

    assert process.returncode == 0
    assert "worker.stopped" in rest
