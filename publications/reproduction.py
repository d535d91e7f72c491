"""Reproduce a publication: run every (procedure version, dataset) pair, compare every result.

Runs go through the execution layer (``execution.services.create_run``, local backend) and are
dispatched when the transaction commits; with an eager Celery they finish before
:func:`reproduce` returns, with a worker :func:`reproduce` waits for them (up to a timeout)
and :func:`refresh_reproduction` finishes the comparison whenever it is read later.
"""

import json
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from config.api.errors import DomainError, ServiceUnavailableError
from execution import runner
from execution.choices import RunState
from execution.models import Run
from execution.services import create_run
from publications.choices import ComparisonStatus, DiffKind, ReproductionStatus
from publications.compare import compare_output
from publications.models import Publication, Reproduction, ResultComparison

DEFAULT_WAIT_SECONDS = 1800


def reproduce(
    publication: Publication, by, wait_seconds: float | None = None, *, progress: bool = False
) -> Reproduction:
    """Start a reproduction of every published result; wait for its runs up to ``wait_seconds``.

    ``wait_seconds=0`` returns at once (the API does; readers refresh later). ``progress``
    shows bars of runs finished and results compared (the ``reproduce`` command).
    """
    results = list(publication.results.select_related("version__procedure", "dataset"))
    if not results:
        raise DomainError(
            f"{publication.doi} has no published results to reproduce.", code="nothing_to_reproduce"
        )
    reproduction, runs = _create_runs(publication, results, by)
    if wait_seconds is None:
        wait_seconds = getattr(
            settings, "PUBLICATIONS_REPRODUCE_WAIT_SECONDS", DEFAULT_WAIT_SECONDS
        )
    wait_for_runs(runs, wait_seconds, progress=progress)
    return refresh_reproduction(reproduction, progress=progress)


def _create_runs(publication: Publication, results: list, by) -> tuple[Reproduction, list[Run]]:
    """The reproduction, with a comparison per result, and its runs: one per distinct
    (version, dataset, parameters) of ``results``, dispatched when this commits.

    A broker that refuses a run refuses the reproduction whole: no run of it stays queued with
    no task (one sent already finds no row and ends at once), and no reproduction waits for
    runs that will never come.
    """
    reproduction = None
    runs: dict[tuple, Run] = {}
    try:
        with transaction.atomic():
            reproduction = Reproduction.objects.create(publication=publication, requested_by=by)
            for result in results:
                pair = (
                    result.version_id,
                    result.dataset_id,
                    json.dumps(result.parameters, sort_keys=True),
                )
                if pair not in runs:
                    runs[pair] = create_run(
                        version=result.version,
                        owner=by,
                        parameters=result.parameters,
                        dataset_pid=result.dataset.pid,
                        backend="local",
                        tags={"publication": publication.doi, "reproduction": str(reproduction.id)},
                    )
                ResultComparison.objects.create(
                    reproduction=reproduction, result=result, run=runs[pair]
                )
    except ServiceUnavailableError:  # raised by a dispatch after the commit
        unsent = [run.pk for run in runs.values()]
        Run.objects.filter(pk__in=unsent, state=RunState.QUEUED).delete()
        if reproduction is not None:
            reproduction.delete()
        raise
    return reproduction, list(runs.values())


def wait_for_runs(runs: list[Run], timeout: float, *, progress: bool = False) -> None:
    """Poll until every run has ended or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    pending = list(runs)
    with tqdm(total=len(runs), desc="runs finished", unit="run", disable=not progress) as bar:
        while pending:
            for run in pending:
                run.refresh_from_db(fields=["state"])
            still = [run for run in pending if not run.is_terminal]
            bar.update(len(pending) - len(still))
            pending = still
            if not pending or time.monotonic() >= deadline:
                return
            time.sleep(float(getattr(settings, "EXECUTION_POLL_SECONDS", 1.0)))


def output_path(run: Run, name: str) -> Path | None:
    """The file of output ``name`` of a finished local run, or None (never outside its folder)."""
    root = (Path(settings.RUNS_DIR) / str(run.pk) / runner.OUTPUT_DIR).resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def compare_comparison(comparison: ResultComparison) -> None:
    """Fill in the verdict of one comparison whose run has ended."""
    run, result = comparison.run, comparison.result
    if run is None or run.state != RunState.COMPLETE:
        state = run.state if run else "deleted"
        comparison.status = ComparisonStatus.FAILED
        comparison.message = f"The run ended {state}: {(run.error if run else '') or 'no output'}"
        comparison.details = {"kind": DiffKind.RUN_FAILED, "run_state": state}
    else:
        recorded = run.outputs.filter(name=result.output_name).first()
        path = output_path(run, result.output_name) if recorded else None
        verdict = compare_output(result, path, recorded.sha256 if recorded else "")
        comparison.status, comparison.message = verdict.status, verdict.message
        comparison.details = verdict.details
    comparison.save(update_fields=["status", "message", "details"])


def refresh_reproduction(reproduction: Reproduction, *, progress: bool = False) -> Reproduction:
    """Compare the results whose runs have ended since; settle the overall status."""
    if reproduction.status != ReproductionStatus.RUNNING:
        return reproduction
    pending = reproduction.comparisons.filter(status=ComparisonStatus.PENDING).select_related(
        "run", "result"
    )
    for comparison in tqdm(pending, desc="results compared", unit="result", disable=not progress):
        if comparison.run is None or comparison.run.is_terminal:
            compare_comparison(comparison)
    statuses = set(reproduction.comparisons.values_list("status", flat=True))
    if ComparisonStatus.PENDING in statuses:
        return reproduction
    if ComparisonStatus.FAILED in statuses:
        reproduction.status = ReproductionStatus.FAILED
    elif statuses & {ComparisonStatus.DIFFERS, ComparisonStatus.MISSING}:
        reproduction.status = ReproductionStatus.DIFFERS
    else:
        reproduction.status = ReproductionStatus.REPRODUCED
    reproduction.finished = timezone.now()
    reproduction.save(update_fields=["status", "finished"])
    return reproduction


def latest_reproduction(publication: Publication) -> Reproduction | None:
    """The most recent reproduction of ``publication``, refreshed (for the portal)."""
    reproduction = publication.reproductions.first()
    return refresh_reproduction(reproduction) if reproduction else None
