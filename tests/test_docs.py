"""The documentation says what the code does."""

from pathlib import Path

from django.conf import settings

DOCS = Path(settings.BASE_DIR) / "docs"


def test_every_attune_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    missing = [key for key in settings.ATTUNE if f"`{key}`" not in text]
    assert not missing, f"document {missing} in docs/configuration.md (python docs/generate_configuration.py)"
