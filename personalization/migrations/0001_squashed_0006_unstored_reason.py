"""personalization's schema in one migration, in place of 0001_initial to 0006_unstored_reason: generated from the
models (makemigrations on an empty migrations folder), plus the one effect the autodetector cannot see, 0002's
PostgreSQL fillfactor. A fresh database runs it; a database that applied all six is marked as having applied it and
runs nothing. 0005's UPDATE of existing sessions is left out: a database this creates has none.
0007_indexes_as_fresh_install then brings databases made with 0001_initial as it first shipped to the same schema."""

import django.db.models.deletion
import django.utils.timezone
import personalization.models.site
from django.db import migrations, models

# The drain updates profile, session and visitor rows often: room left in each page makes those HOT updates (no
# index writes).
FILLFACTOR_TABLES = ["personalization_profile", "personalization_session", "personalization_visitor"]


def fillfactor_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in FILLFACTOR_TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in FILLFACTOR_TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):

    replaces = [
        ("personalization", "0001_initial"),
        ("personalization", "0002_postgresql_fillfactor"),
        ("personalization", "0003_lost_on_device_reason"),
        ("personalization", "0004_erased_reason"),
        ("personalization", "0005_session_cart_and_engagement"),
        ("personalization", "0006_unstored_reason"),
    ]

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Site',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('public_key', models.CharField(default=personalization.models.site.new_public_key, help_text="Put in the tracker's data-site attribute.", max_length=40, unique=True)),
                ('write_key_digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('write_key_prefix', models.CharField(editable=False, help_text='First characters of the write key.', max_length=12)),
                ('allowed_origins', models.JSONField(blank=True, default=list, help_text='Origins the tracker may send from, e.g. ["https://www.example.com"]. "*" allows any origin.')),
                ('goals', models.JSONField(blank=True, default=list, help_text='Event names that count as conversions, on top of the standard goals.')),
                ('server_default_categories', models.JSONField(blank=True, default=list, help_text='Consent categories assumed for server-side events of visitors with no recorded consent and no consent object in the event. Empty: such events are not stored.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Profile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('origin_visitor_id', models.CharField(help_text='The visitor this profile was made for; lets concurrent writers create it once.', max_length=64)),
                ('user_key', models.CharField(blank=True, help_text="The site's user id, as a keyed hash unless configured.", max_length=128, null=True)),
                ('first_seen', models.DateTimeField(blank=True, null=True)),
                ('last_seen', models.DateTimeField(blank=True, null=True)),
                ('events', models.PositiveIntegerField(default=0)),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('pageviews', models.PositiveIntegerField(default=0)),
                ('engaged_ms', models.BigIntegerField(default=0)),
                ('scroll_sum', models.PositiveIntegerField(default=0, help_text='Sum over page views of the deepest scroll, in %.')),
                ('scrolled_pages', models.PositiveIntegerField(default=0)),
                ('scroll_max', models.PositiveSmallIntegerField(default=0)),
                ('clicks', models.PositiveIntegerField(default=0)),
                ('hovers', models.PositiveIntegerField(default=0)),
                ('conversions', models.PositiveIntegerField(default=0)),
                ('revenue_cents', models.BigIntegerField(default=0)),
                ('event_counts', models.JSONField(blank=True, default=dict)),
                ('goal_counts', models.JSONField(blank=True, default=dict)),
                ('category_views', models.JSONField(blank=True, default=dict)),
                ('category_engaged_ms', models.JSONField(blank=True, default=dict)),
                ('device_type', models.CharField(blank=True, max_length=10)),
                ('device_seen_at', models.DateTimeField(blank=True, null=True)),
                ('cart_items', models.IntegerField(default=0, help_text='Items added minus removed since the last purchase.')),
                ('cart_value_cents', models.BigIntegerField(default=0)),
                ('last_purchase_at', models.DateTimeField(blank=True, null=True)),
                ('cart_updated_at', models.DateTimeField(blank=True, help_text='Time of the last cart event applied.', null=True)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
        ),
        migrations.CreateModel(
            name='FailedEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site_key', models.CharField(blank=True, max_length=64)),
                ('reason', models.CharField(choices=[('invalid', 'Invalid'), ('no_consent', 'No consent'), ('bot', 'Bot'), ('rate_limited', 'Rate limited'), ('unknown_origin', 'Unknown origin'), ('unknown_site', 'Unknown site'), ('duplicate', 'Duplicate'), ('lost_on_device', 'Lost on the device (tracker outbox full)'), ('erased', 'Visitor erased before storage'), ('unstored', 'Accepted, not stored yet (kept whole: manage.py dead_letters_replay)')], max_length=20)),
                ('detail', models.CharField(max_length=500)),
                ('event_index', models.IntegerField(blank=True, help_text='Position in its batch; empty for a whole body.', null=True)),
                ('event_id', models.CharField(blank=True, max_length=64)),
                ('visitor_id', models.CharField(blank=True, max_length=64)),
                ('payload', models.TextField(blank=True, help_text='The rejected input, cut to 8 KB.')),
                ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
            options={
                'ordering': ['-received_at'],
            },
        ),
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.UUIDField()),
                ('visitor_id', models.CharField(max_length=64)),
                ('type', models.CharField(max_length=20)),
                ('name', models.CharField(blank=True, max_length=100)),
                ('ts', models.DateTimeField(help_text="When it happened, corrected for the client's clock skew.")),
                ('received_at', models.DateTimeField()),
                ('seq', models.IntegerField(default=0)),
                ('url', models.CharField(blank=True, max_length=2000)),
                ('path', models.CharField(blank=True, max_length=2000)),
                ('referrer', models.CharField(blank=True, max_length=2000)),
                ('page_view_id', models.CharField(blank=True, max_length=40)),
                ('category', models.CharField(blank=True, help_text='Content category of the page.', max_length=100)),
                ('props', models.JSONField(blank=True, default=dict)),
                ('dimensions', models.JSONField(blank=True, default=dict)),
                ('source', models.CharField(choices=[('browser', 'Browser'), ('server', 'Server')], default='browser', max_length=8)),
                ('consent', models.CharField(help_text='Categories granted when the event was collected.', max_length=200)),
                ('device_type', models.CharField(blank=True, max_length=10)),
                ('country', models.CharField(blank=True, max_length=2)),
                ('client_address', models.CharField(blank=True, help_text='Truncated, or empty.', max_length=45)),
                ('site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
        ),
        migrations.CreateModel(
            name='DropCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site_key', models.CharField(max_length=64)),
                ('reason', models.CharField(choices=[('invalid', 'Invalid'), ('no_consent', 'No consent'), ('bot', 'Bot'), ('rate_limited', 'Rate limited'), ('unknown_origin', 'Unknown origin'), ('unknown_site', 'Unknown site'), ('duplicate', 'Duplicate'), ('lost_on_device', 'Lost on the device (tracker outbox full)'), ('erased', 'Visitor erased before storage'), ('unstored', 'Accepted, not stored yet (kept whole: manage.py dead_letters_replay)')], max_length=20)),
                ('day', models.DateField()),
                ('count', models.PositiveBigIntegerField(default=0)),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
            options={
                'ordering': ['-day', 'site_key', 'reason'],
            },
        ),
        migrations.CreateModel(
            name='Visitor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visitor_id', models.CharField(help_text='Pseudonymous id made by the tracker (or the server API).', max_length=64)),
                ('is_bot', models.BooleanField(default=False)),
                ('first_seen', models.DateTimeField(default=django.utils.timezone.now)),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visitors', to='personalization.profile')),
                ('site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
        ),
        migrations.CreateModel(
            name='Session',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visitor_id', models.CharField(max_length=64)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(help_text="Time of the session's last event.")),
                ('events', models.PositiveIntegerField(default=0)),
                ('pageviews', models.PositiveIntegerField(default=0)),
                ('engaged_ms', models.BigIntegerField(default=0)),
                ('scroll_max', models.PositiveSmallIntegerField(default=0)),
                ('entry_path', models.CharField(blank=True, max_length=2000)),
                ('entry_at', models.DateTimeField(blank=True, null=True)),
                ('exit_path', models.CharField(blank=True, max_length=2000)),
                ('exit_at', models.DateTimeField(blank=True, null=True)),
                ('referrer', models.CharField(blank=True, max_length=2000)),
                ('device_type', models.CharField(blank=True, max_length=10)),
                ('conversions', models.PositiveIntegerField(default=0)),
                ('revenue_cents', models.BigIntegerField(default=0)),
                ('purchased', models.BooleanField(default=False)),
                ('cart_changes', models.PositiveIntegerField(default=0, help_text='Items added to or removed from the cart.')),
                ('pages', models.JSONField(default=dict, help_text='Per page view: [highest engaged ms, deepest scroll %, category, lowest engaged ms, 1 if it began in this session].')),
                ('closed_at', models.DateTimeField(blank=True, help_text='When the session was decided to have ended.', null=True)),
                ('abandoned', models.BooleanField(default=False, help_text='Changed the cart and ended with items in it, decided when the session closed.')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_rows', to='personalization.profile')),
                ('site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='personalization.site')),
            ],
            options={
                'indexes': [models.Index(fields=['site', 'visitor_id', 'started_at'], name='session_visitor_start'), models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['started_at'], name='session_open')],
            },
        ),
        migrations.AddConstraint(
            model_name='profile',
            constraint=models.UniqueConstraint(condition=models.Q(('user_key__isnull', False)), fields=('site', 'user_key'), name='profile_user_unique'),
        ),
        migrations.AddConstraint(
            model_name='profile',
            constraint=models.UniqueConstraint(fields=('site', 'origin_visitor_id'), name='profile_origin_unique'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['site', 'visitor_id', 'ts'], name='event_visitor_time'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['site', 'ts'], name='event_site_time'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['site', 'type', 'ts'], name='event_type_time'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.UniqueConstraint(fields=('site', 'event_id'), name='event_unique_per_site'),
        ),
        migrations.AddConstraint(
            model_name='dropcounter',
            constraint=models.UniqueConstraint(fields=('site_key', 'reason', 'day'), name='drop_counter_unique'),
        ),
        migrations.AddConstraint(
            model_name='visitor',
            constraint=models.UniqueConstraint(fields=('site', 'visitor_id'), name='visitor_unique_per_site'),
        ),
        migrations.RunPython(fillfactor_set, fillfactor_reset),
    ]
