"""A web process loads what serving pages needs, not the analysis libraries: scipy and scikit-learn cost each
process tens of megabytes and are loaded only by the jobs (and the dashboards) that use them."""

import os
import subprocess
import sys

SCRIPT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from config.wsgi import application
from django.urls import get_resolver, resolve
resolve("/")
get_resolver().url_patterns  # every app's admin and views, as the first request loads them
print(",".join(sorted({name.split(".")[0] for name in sys.modules} & {"scipy", "sklearn"})))
"""


def test_serving_pages_loads_neither_scipy_nor_scikit_learn():
    env = {**os.environ, "DEBUG": "1"}
    loaded = subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True, text=True, capture_output=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__)))).stdout.strip()
    assert loaded == "", f"a web process imports {loaded}: import it where it is used (see rules/admin_board.py)"
