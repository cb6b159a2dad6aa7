"""Regenerate docs/configuration.md from config/settings/attune.py: python docs/generate_configuration.py"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = """# Configuration

Everything host-specific comes from the environment; every product setting lives in one namespace,
`ATTUNE`, with its default and meaning in `config/settings/attune.py` (this page is made from it by
`python docs/generate_configuration.py`).

## Environment

| variable | default | meaning |
|---|---|---|
| `DEBUG` | off | development mode; with it off `SECRET_KEY` and `ALLOWED_HOSTS` are required |
| `SECRET_KEY` | (development key with `DEBUG=1`) | signs consent cookies and keys user-id hashes |
| `ALLOWED_HOSTS` | local hosts with `DEBUG=1` | comma-separated |
| `CSRF_TRUSTED_ORIGINS` | none | comma-separated origins for the admin and forms behind a proxy |
| `DATABASE_URL` | SQLite in `var/attune.sqlite3` (WAL) | e.g. `postgres://user@host:5432/attune` |
| `REDIS_URL` | none: tasks run eagerly, events are stored in the request | e.g. `redis://host:6379/0`: the event stream, Celery broker, cache and rate limits |
| `ATTUNE_VAR_DIR` | `var/` | where the SQLite file and collected static files go |
| `LOG_LEVEL` | `INFO` | |
| `SECURE_SSL_REDIRECT`, `SECURE_HSTS_SECONDS` | on, one year | with `DEBUG` off |
| `WEB_BIND`, `WEB_WORKER_CLASS`, `WEB_WORKERS`, `WEB_THREADS`, `WEB_CONNECTIONS`, `WEB_SWITCH_INTERVAL` | `127.0.0.1:8000`; with `REDIS_URL` 2 gevent processes per core of up to 1,000 requests each, else 2 processes of 64 threads and 0.5 ms | gunicorn (`config/gunicorn.py` says why) |
| `DATABASE_POOL_SIZE` | 0: a connection per thread, kept 600 s; 8 under gevent workers | PostgreSQL connections per process, taken from a pool for each request |

## `ATTUNE` settings

Override in a settings module with `ATTUNE = {**ATTUNE, "KEY": value}`; keys with an environment
variable can also be set there.
"""


def rows(source: str):
    body = source[source.index("DEFAULTS = {"):]
    comment, section = [], ""
    for line in body.splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("# ---"):
            section, comment = stripped.strip("# -").strip(), []
        elif stripped.startswith("#"):
            comment.append(stripped.lstrip("# ").strip())
        elif match := re.match(r'"([A-Z_]+)":\s*(.*)', stripped):
            key, value = match.group(1), match.group(2).rstrip(",")
            env = re.search(r'env_\w+\("(ATTUNE_[A-Z_]+)"', value)
            default = re.sub(r'env_\w+\("ATTUNE_[A-Z_]+",\s*', "", value)
            default = default.rstrip(")") if env else default
            if len(default) > 40 or default.endswith(("[", "{")):
                default = "see config/settings/attune.py"
            yield section, key, default.replace("|", "\\|"), env.group(1) if env else "", " ".join(comment)
            comment = []


def main() -> None:
    out, current = [HEAD], None
    for section, key, default, env, text in rows((ROOT / "config/settings/attune.py").read_text()):
        if section != current:
            out += ["", f"### {section}", "", "| key | default | environment | meaning |", "|---|---|---|---|"]
            current = section
        out.append(f"| `{key}` | `{default}` | {'`' + env + '`' if env else ''} | {text} |")
    (ROOT / "docs/configuration.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
