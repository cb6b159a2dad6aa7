"""personalization's migrations as they shipped, for tests/personalization/test_migrations.py: `original` holds the
0001_initial of c93668e, `edited` the 0001_initial that 4806eaf rewrote in place; both then hold 0002 to 0006 as they
were before the squash. Databases were migrated with one or the other (Django never reruns an applied migration)."""
