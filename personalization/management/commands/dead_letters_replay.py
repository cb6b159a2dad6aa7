"""python manage.py dead_letters_replay: store the batches the drain could not store, once the cause is mended."""

from django.core.management.base import BaseCommand

from personalization.services.failures import dead_letters_replay


class Command(BaseCommand):
    help = ("Store again the batches kept as failed events with reason `unstored` (accepted, then refused by the "
            "database or a bug); each one stored leaves the failed events, the others stay for another try.")

    def handle(self, *args, **options):
        stored, failing = dead_letters_replay()
        self.stdout.write(f"Stored {stored} batches; {failing} still cannot be stored (see the log).")
