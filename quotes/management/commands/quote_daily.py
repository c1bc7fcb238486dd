"""``manage.py quote_daily``: the daily jobs (``quotes.daily``) — offers past their day
marked expired, reminders of offers about to expire queued, untouched drafts deleted. Run once a day by cron or a
systemd timer (README, "Bakgrundsjobb"); running it more often changes nothing more.

By default it enqueues the ``daily_jobs`` task for the worker (``manage.py db_worker``);
``--now`` runs the jobs in this process instead (the reminder mails still go through the
queue)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from quotes.daily import daily_jobs, daily_jobs_run


class Command(BaseCommand):
    help = "Expire offers past their day and queue reminders of offers about to expire (once a day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true",
            help="Run the jobs in this process instead of handing them to the worker.",
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            done = daily_jobs_run()
            self.stdout.write(
                f"Daily jobs done: {done['expired']} offer(s) expired, {done['reminders']} reminder(s) queued, "
                f"{done['untouched_drafts_deleted']} untouched draft(s) deleted."
            )
        else:
            result = daily_jobs.enqueue()
            self.stdout.write(f"Daily jobs queued for the worker (task {result.id}).")
