"""python manage.py demo_setup: everything `make demo` needs before serving (safe to run again)."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.rules_seed import demo_funnels_ensure, demo_rules_ensure
from demo.services import demo_content_load, demo_segments_ensure, demo_site_ensure
from demo.simulator.rule_traffic import rule_traffic_simulate
from rules.experiments import rule_experiments_update
from rules.feedback import rule_feedback_count
from rules.insight.build import insight_report_build
from rules.insight.findings import findings_detect
from rules.models import InsightReport
from rules.recommendation_checks import recommendation_concentration_measure_all


class Command(BaseCommand):
    help = "Create the admin account, the demo site and content, simulate traffic and run the scheduled jobs once."

    def add_arguments(self, parser):
        parser.add_argument("--visitors", type=int, default=400, help="Simulated visitors (default 400).")
        parser.add_argument("--days", type=int, default=30, help="Days of simulated history (default 30).")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, visitors: int, days: int, seed: int, **options):
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        articles, products = demo_content_load()
        site, write_key = demo_site_ensure()
        self.stdout.write(f"Demo content: {articles} articles, {products} products.")
        self.stdout.write(f"Demo site {site.name!r}: public key {site.public_key}")
        if write_key:
            self.stdout.write(f"  server write key (shown once): {write_key}")
        demo_segments_ensure(site)
        demo_rules_ensure(site)
        if "simulate_traffic" in self._commands():
            call_command("simulate_traffic", visitors=visitors, days=days, seed=seed, site=site.name)
        call_command("run_scheduled_jobs")
        self.stdout.write(f"Rule traffic: {rule_traffic_simulate(site=site, seed=seed)} events of simulated "
                          f"visitors meeting the rules; {rule_feedback_count(settle_seconds=0)} events counted.")
        rule_experiments_update(seed=seed)
        recommendation_concentration_measure_all()
        demo_funnels_ensure(site)
        self.stdout.write(f"Findings: {len(findings_detect(site_id=site.pk))} unusual days, drops or drifts found.")
        today = timezone.now().date()
        report = InsightReport.objects.create(site=site, params={
            "since": (today - timedelta(days=days)).isoformat(), "until": today.isoformat(), "segment": ""})
        insight_report_build(report_id=report.pk)
        self.stdout.write(self.style.SUCCESS(
            f"\nAdmin: http://127.0.0.1:8000/admin/  user: admin  password: {password}\n"
            "Site:  http://127.0.0.1:8000/"
        ))

    def _commands(self):
        from django.core.management import get_commands

        return get_commands()
