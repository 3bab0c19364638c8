"""``python manage.py ecom_ai <sub-command>``: start and inspect AI jobs from the shell.

  ecom_ai jobs [--status S] [--limit N]          list jobs and their state
  ecom_ai run KIND (--ids 1,2,3 | --all) [--param key=value ...] [--budget N] [--wait | --sync]
  ecom_ai retry JOB_ID [--wait]                   queue a job's failed items again
  ecom_ai cancel JOB_ID
  ecom_ai recover [--older-than SECONDS]          re-queue items (and close training runs) whose worker vanished
  ecom_ai health [--interval S] [--timeout S] [--worker NAME]
                                                  database, broker and workers; exits 1 when one fails
  ecom_ai evaluate WHAT [--csv FILE] [--model NAME] [--limit N] [--json]
                                                  offline evaluation (see EVALUATIONS)
  ecom_ai train KIND [--csv FILE] [--param key=value ...] [--no-activate]
                                                  train a model (see TRAINERS)
  ecom_ai impact [--days N] [--json] [--no-attribute]
                                                  what the AI did for the shop (attributes the shop's orders first)
"""
from __future__ import annotations

import json
import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from ecom_ai.jobs.models import AIJob
from ecom_ai.jobs.pipeline import UnknownJobKind, get_pipeline, pipeline_paths
from ecom_ai.jobs import engine as jobs


def _param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise CommandError(f"--param takes key=value, not {text!r}")
    key, value = text.split("=", 1)
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


#: what ``ecom_ai evaluate WHAT`` runs: each is ``fn(*, out, csv=None, model=None, limit=None, seed=0) -> dict``
#: that writes its report to ``out`` and returns its metrics.
EVALUATIONS = {
    "inquiries": "ecom_ai.inquiries.services.evaluate",
    "recommendations": "ecom_ai.recommendations.services.evaluate",
    "campaigns": "ecom_ai.campaigns.services.evaluate",
    "sentiment": "ecom_ai.feedback.services.evaluate_sentiment",
    "aspects": "ecom_ai.feedback.services.evaluate_aspects",
}

#: what ``ecom_ai train KIND`` runs: ``fn(*, out, csv=None, activate=True, **params) -> dict`` that
#: trains, stores a versioned artefact (ecom_ai.storage.artifacts) and returns its metrics; each is recorded
#: as a training run (the admin's "Training runs" page), the features' own trainers included.
TRAINERS = {
    "sentiment-baseline": "ecom_ai.training.runs.train_sentiment_baseline",
    "intent-baseline": "ecom_ai.training.runs.train_intent_baseline",
    "recommender": "ecom_ai.training.runs.train_recommender",
    "tokenizer": "ecom_ai.training.runs.train_tokenizer",
    "pretrain": "ecom_ai.training.runs.pretrain",
    "finetune-classifier": "ecom_ai.training.runs.finetune_classifier",
    "finetune-replies": "ecom_ai.training.runs.finetune_replies",
    "sentiment-recipe": "ecom_ai.training.recipes.sentiment",
}


class Command(BaseCommand):
    help = "Start, follow and inspect ecom_ai jobs (admin actions and the API call the same services)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True, metavar="sub-command")

        p = sub.add_parser("jobs", help="list jobs")
        p.add_argument("--status", choices=[s for s, _ in AIJob.Status.choices] + ["stalled"])
        p.add_argument("--limit", type=int, default=20)

        p = sub.add_parser("health", help="check the database, the broker and the workers (exit 1 when one fails)")
        p.add_argument("--interval", type=float, default=5.0,
                       help="seconds between the two looks at what each worker reserved and runs")
        p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the broker and the workers")
        p.add_argument("--worker", help="check only this worker (its node name, e.g. celery@host)")

        p = sub.add_parser("run", help="start a job")
        p.add_argument("kind", help=f"job kind ({', '.join(sorted(pipeline_paths()))})")
        g = p.add_mutually_exclusive_group(required=True)
        g.add_argument("--ids", help="comma-separated primary keys of the targets")
        g.add_argument("--all", action="store_true", help="every row of the target model")
        p.add_argument("--param", action="append", default=[], type=_param, help="key=value (JSON values allowed)")
        p.add_argument("--budget", type=int, help="token budget for the job")
        p.add_argument("--user", help="username recorded as the requester")
        w = p.add_mutually_exclusive_group()
        w.add_argument("--wait", action="store_true", help="block until done, with a progress bar")
        w.add_argument("--sync", action="store_true", help="run in this process, no worker needed")
        p.add_argument("--timeout", type=float, help="with --wait: give up waiting after this many seconds")

        p = sub.add_parser("retry", help="queue a job's failed items again")
        p.add_argument("job_id", type=int)
        p.add_argument("--wait", action="store_true")

        p = sub.add_parser("cancel", help="cancel a job")
        p.add_argument("job_id", type=int)

        p = sub.add_parser("recover", help="re-queue items stuck in running")
        p.add_argument("--older-than", type=int, default=3600)

        p = sub.add_parser("evaluate", help="offline evaluation")
        p.add_argument("what", choices=sorted(EVALUATIONS))
        p.add_argument("--csv", help="evaluate on this CSV file (gzip accepted) instead of the shop's data")
        p.add_argument("--model", help="a stored model to evaluate instead of the active one")
        p.add_argument("--limit", type=int)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--json", action="store_true", help="print the metrics as JSON at the end")

        p = sub.add_parser("train", help="train a model and make it the active one")
        p.add_argument("kind", choices=sorted(TRAINERS))
        p.add_argument("--csv", help="extra labelled data (gzip accepted)")
        p.add_argument("--param", action="append", default=[], type=_param, help="key=value (JSON values allowed)")
        p.add_argument("--no-activate", action="store_true", help="store the model without making it active")

        p = sub.add_parser("impact", help="impact per feature and the A/B readouts")
        p.add_argument("--days", type=int, default=30)
        p.add_argument("--json", action="store_true", help="print the whole report as JSON")
        p.add_argument("--no-attribute", action="store_true", help="do not attribute the shop's orders first")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except BrokenPipeError:
            # The reader went away (`ecom_ai jobs | head`): end quietly, as a Unix tool does; stdout is
            # pointed at /dev/null so the interpreter's last flush raises nothing either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)

    def handle(self, *args, **opts):
        getattr(self, f"handle_{opts['sub']}")(**opts)

    # --------------------------------------------------------------- sub-commands
    def handle_jobs(self, status=None, limit=20, **_):
        qs = AIJob.objects.all()
        if status == "stalled":
            qs = qs.filter(status__in=AIJob.ACTIVE, stalled_at__isnull=False)
        elif status:
            qs = qs.filter(status=status)
        self.stdout.write(f"{'id':>6}  {'kind':<22} {'status':<13} {'done':>6} {'failed':>6} {'items':>6} "
                          f"{'tokens':>8}  created")
        for job in qs[:limit]:
            self.stdout.write(f"{job.pk:>6}  {job.kind:<22} {job.state:<13} {job.n_done:>6} {job.n_failed:>6} "
                              f"{job.n_items:>6} {job.tokens_used:>8}  {job.created_at:%Y-%m-%d %H:%M}")
            if job.is_stalled:
                self.stdout.write(f"        {job.stall_reason}")

    def handle_run(self, kind, ids=None, all=False, param=(), budget=None, user=None, wait=False, sync=False,
                   timeout=None, **_):
        try:
            pipeline = get_pipeline(kind)
        except UnknownJobKind as exc:
            raise CommandError(str(exc)) from exc
        model = pipeline.get_target_model()
        if model is None:
            raise CommandError(f"{kind} jobs name no target model")
        targets = model._default_manager.all() if all else model._default_manager.filter(
            pk__in=[i.strip() for i in ids.split(",") if i.strip()])
        requester = None
        if user:
            requester = get_user_model().objects.filter(username=user).first()
            if requester is None:
                raise CommandError(f"No user {user!r}")
        try:
            job = jobs.start_job(kind, targets, params=dict(param), user=requester, token_budget=budget,
                                 dispatch=not sync)
        except jobs.JobError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Job {job.pk}: {job.kind} over {job.n_items} item(s)")
        if sync:
            job = jobs.run_job_sync(job)
        elif wait:
            try:
                job = jobs.wait_for(job, timeout_s=timeout, on_progress=self._bar)
            except TimeoutError as exc:
                raise CommandError(f"{exc}; it goes on in the background (ecom_ai jobs)") from exc
            self.stdout.write("")
        self._report(job)

    def handle_retry(self, job_id, wait=False, **_):
        job = self._job(job_id)
        n = jobs.retry_failed(job)
        self.stdout.write(f"Job {job.pk}: {n} item(s) queued again")
        if wait and n:
            self._report(jobs.wait_for(job, on_progress=self._bar))

    def handle_cancel(self, job_id, **_):
        job = self._job(job_id)
        self.stdout.write(f"Job {job.pk}: {'cancelled' if jobs.cancel(job) else 'not active, nothing to cancel'}")

    def handle_recover(self, older_than=3600, **_):
        from ecom_ai.training import runs

        self.stdout.write(f"{jobs.recover_stale(older_than)} item(s) queued again")
        training = runs.recover_stale(older_than)
        self.stdout.write(f"{training['failed']} training run(s) whose worker stopped marked failed, "
                          f"{training['requeued']} queued run(s) sent again")

    def handle_health(self, interval=5.0, timeout=3.0, worker=None, **_):
        from celery import current_app

        from ecom_ai.jobs import health

        checks = health.run_checks(current_app, interval=interval, timeout=timeout, worker=worker)
        for check in checks:
            (self.stdout if check.ok else self.stderr).write(check.line())
        if not all(check.ok for check in checks):
            sys.exit(1)

    def handle_evaluate(self, what, csv=None, model=None, limit=None, seed=0, json=False, **_):
        try:
            evaluate = import_string(EVALUATIONS[what])
        except ImportError as exc:
            raise CommandError(f"evaluation {what!r} is not available: {exc}") from exc
        try:
            metrics = evaluate(out=self.stdout, csv=csv, model=model, limit=limit, seed=seed)
        except (FileNotFoundError, ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(metrics, ensure_ascii=False, indent=2, default=str))

    def handle_impact(self, days=30, json=False, no_attribute=False, **_):
        from ecom_ai.impact import attribution, dashboard, metrics

        if not 1 <= days <= 365:
            raise CommandError("--days must be from 1 to 365")
        credited = None if no_attribute else attribution.attribute_orders()
        report = metrics.report(days=days)
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(report, ensure_ascii=False, indent=2, default=str))
            return
        if credited is not None:
            self.stdout.write(f"{credited} order line(s) credited to what the customers were shown")
        for line in dashboard.summary_lines(report):
            self.stdout.write(line)

    def handle_train(self, kind, csv=None, param=(), no_activate=False, **_):
        try:
            train = import_string(TRAINERS[kind])
        except ImportError as exc:
            raise CommandError(f"trainer {kind!r} is not available: {exc}") from exc
        try:
            metrics = train(out=self.stdout, csv=csv, activate=not no_activate, **dict(param))
        except (FileNotFoundError, ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        # tables (a recommender's candidates) were written by the trainer itself
        self.stdout.write(f"{kind}: " + ", ".join(f"{k}={v}" for k, v in metrics.items() if not isinstance(v, (list, dict))))

    # --------------------------------------------------------------- helpers
    def _job(self, job_id) -> AIJob:
        job = AIJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No job {job_id}")
        return job

    def _bar(self, job):
        width = 30
        filled = int(width * job.progress / 100)
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {job.progress:3d}%  "
                         f"done {job.n_done}  failed {job.n_failed}  of {job.n_items}")
        sys.stdout.flush()

    def _report(self, job):
        self.stdout.write(f"Job {job.pk} {job.status}: {job.n_done} done, {job.n_failed} failed, "
                          f"{job.n_pending} pending; tokens {job.tokens_in} in / {job.tokens_out} out")
        if job.error_summary:
            self.stdout.write(job.error_summary)
