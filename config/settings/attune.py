"""The ATTUNE settings namespace: every product setting, its default and what it means.

Override any key from a settings module (`ATTUNE = {**ATTUNE, "KEY": value}`) or, for the
keys read below, from the environment. Nothing else in the code base holds a default.
"""

from django.utils.translation import gettext_lazy as _

from .environment import env_int, env_list, env_str

DEFAULTS = {
    # --- Collector limits (POST /collect) ---------------------------------------------
    # Largest request body accepted, in bytes, checked before any parsing.
    "COLLECT_MAX_BODY_BYTES": 64 * 1024,
    # Deepest JSON nesting of a whole body (batch → events → event → props → ...).
    "COLLECT_MAX_BODY_DEPTH": 8,
    # Events per batch.
    "COLLECT_MAX_EVENTS": 100,
    # Serialized size of one event's properties and dimensions, in bytes.
    "COLLECT_MAX_PROPS_BYTES": 4 * 1024,
    # Number of top-level properties of one event.
    "COLLECT_MAX_PROPS": 64,
    # Longest event name, dimension name or property key.
    "COLLECT_MAX_NAME_LENGTH": 100,
    # Longest URL kept; longer ones are cut at this length.
    "COLLECT_MAX_URL_LENGTH": 2000,
    # The server API (Segment-compatible /v1): largest body after decompression, messages per batch,
    # and requests per site per minute.
    "SERVER_MAX_BODY_BYTES": 512 * 1024,
    "SERVER_MAX_MESSAGES": 1000,
    "RATE_LIMIT_SERVER_PER_MINUTE": env_int("ATTUNE_RATE_LIMIT_SERVER_PER_MINUTE", 12_000),
    # The site attune.track() and attune.identify() use when none is given (its public key).
    # Empty: the only site, when there is exactly one.
    "DEFAULT_SITE_KEY": env_str("ATTUNE_DEFAULT_SITE_KEY", ""),
    # Events older than this (after clock-skew correction) are rejected as `too_old`.
    "EVENT_MAX_AGE_DAYS": 400,
    # Events dated later than receipt plus this margin are rejected as `in_future`.
    "EVENT_MAX_FUTURE_SECONDS": 300,
    # --- Abuse and bots ---------------------------------------------------------------
    # Batches a client address may send per minute, and a whole site per minute.
    "RATE_LIMIT_ADDRESS_PER_MINUTE": env_int("ATTUNE_RATE_LIMIT_ADDRESS_PER_MINUTE", 1200),
    "RATE_LIMIT_SITE_PER_MINUTE": env_int("ATTUNE_RATE_LIMIT_SITE_PER_MINUTE", 600_000),
    # Embedded (no Redis), each web process counts the limits above in its own memory and allows this share of
    # them, so that all together allow no more than the limits: config/gunicorn.py sets it to its process count.
    "RATE_LIMIT_PROCESSES": env_int("ATTUNE_RATE_LIMIT_PROCESSES", 1),
    # "drop": bot traffic is counted and dropped; "flag": stored on visitors marked as bots,
    # which segments and visitor counts leave out.
    "BOT_POLICY": env_str("ATTUNE_BOT_POLICY", "drop"),
    # --- Minimisation at the edge -----------------------------------------------------
    # What is kept of the client address once rate limiting has used it:
    # "drop" keeps nothing, "truncate" keeps the /24 (IPv4) or /48 (IPv6) network.
    "CLIENT_ADDRESS_STORAGE": env_str("ATTUNE_CLIENT_ADDRESS_STORAGE", "drop"),
    # Reverse proxies in front of the app; the client address is then read from
    # X-Forwarded-For, this many entries from the right. 0 uses the socket's address.
    "TRUSTED_PROXY_COUNT": env_int("ATTUNE_TRUSTED_PROXY_COUNT", 0),
    # A header set by a trusted proxy that carries the visitor's country (e.g. CF-IPCountry).
    "GEO_COUNTRY_HEADER": env_str("ATTUNE_GEO_COUNTRY_HEADER", ""),
    # Query parameters removed from every URL and referrer before anything is stored.
    "URL_QUERY_DENYLIST": [
        "email", "e-mail", "mail", "token", "access_token", "id_token", "auth", "code",
        "password", "pass", "pwd", "secret", "api_key", "apikey", "key", "session",
        "sessionid", "sid", "phone", "tel", "name", "first_name", "last_name", "address",
    ],
    # User ids from identify() are stored as keyed hashes ("hash") or as sent ("plain").
    "USER_ID_STORAGE": env_str("ATTUNE_USER_ID_STORAGE", "hash"),
    # --- Ingestion pipeline -----------------------------------------------------------
    # Redis stream the collector appends to when REDIS_URL is set, and its consumer group.
    "STREAM_KEY": "attune:events",
    "STREAM_GROUP": "attune-drain",
    # Stream entries (one per collected batch) a drain worker reads at a time.
    "DRAIN_READ_COUNT": env_int("ATTUNE_DRAIN_READ_COUNT", 500),
    # A pending entry idle this long belongs to a dead worker and is claimed again.
    "DRAIN_CLAIM_IDLE_MS": env_int("ATTUNE_DRAIN_CLAIM_IDLE_MS", 30_000),
    # How long one scheduled drain task keeps draining before it hands over.
    "DRAIN_TASK_SECONDS": 55,
    # Rejected events are kept this many days in the failed-events table for inspection.
    "FAILED_EVENT_RETENTION_DAYS": 7,
    # --- Sessions and profiles --------------------------------------------------------
    # Inactivity, in event time, that ends a session.
    "SESSION_TIMEOUT_MINUTES": 30,
    # Half-life of the time-decayed profile figures (pageviews_decayed, conversions_decayed): an event weighs half
    # as much after this many days. Run `manage.py profiles_rebuild` after changing it.
    "PROFILE_DECAY_HALF_LIFE_DAYS": 14,
    # --- Segments -------------------------------------------------------------------------
    # Embedded mode: how often the people whose figures changed are placed in segments again (a background
    # thread per process; 0 does it in the storing thread). With Redis a Celery task per stored chunk does it.
    "SEGMENTS_REFRESH_SECONDS": 1,
    # Fit clustering runs on a Dask cluster: its scheduler's address ("tcp://host:8786"), "local" for a local
    # cluster of two worker processes, or "" to fit in the worker's own process (the default).
    "SEGMENTS_DASK_SCHEDULER": env_str("ATTUNE_SEGMENTS_DASK_SCHEDULER", ""),
    # Segment webhooks: attempts per delivery before it is marked failed.
    "WEBHOOK_MAX_ATTEMPTS": 8,
    # Seconds before a failed delivery is tried again, doubled after each further failure.
    "WEBHOOK_RETRY_SECONDS": env_int("ATTUNE_WEBHOOK_RETRY_SECONDS", 30),
    # The longest wait between two attempts of a delivery, in seconds.
    "WEBHOOK_RETRY_MAX_SECONDS": 3600,
    # Seconds a webhook's receiver has to answer before the attempt counts as failed.
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    # Deliveries sent at the same time by one worker (or, embedded, by the scheduled run).
    "WEBHOOK_CONCURRENCY": 8,
    # Share of recommendation lists (per visitor and page, stable on reload) whose last place goes to a popular
    # item outside the visitor's favourite category: exploration against too much of the same. 0 turns it off.
    "EXPLORATION_SHARE": 0.1,
    # Event names that count as conversions for every site; sites add their own goals.
    "GOALS": ["add_to_cart", "purchase", "form_submit", "video_complete", "signup"],
    # --- Consent ----------------------------------------------------------------------
    # Consent categories, in the order the banner shows them. `required` categories cannot
    # be refused. `consent_mode` lists the Google Consent Mode v2 signals each one drives.
    "CONSENT_CATEGORIES": [
        {
            "key": "necessary",
            "required": True,
            "label": _("Necessary"),
            "description": _("Keeps the site working and remembers your privacy choices."),
            "consent_mode": ["security_storage", "functionality_storage"],
        },
        {
            "key": "analytics",
            "required": False,
            "label": _("Analytics"),
            "description": _("Measures how pages are used: visits, time on page, scrolling and clicks."),
            "consent_mode": ["analytics_storage"],
        },
        {
            "key": "personalization",
            "required": False,
            "label": _("Personalization"),
            "description": _("Uses what you read and buy here to choose the content you see."),
            "consent_mode": ["personalization_storage"],
        },
        {
            "key": "marketing",
            "required": False,
            "label": _("Marketing"),
            "description": _("Lets us and our partners show you offers on this and other sites."),
            "consent_mode": ["ad_storage", "ad_user_data", "ad_personalization"],
        },
    ],
    # Name of the signed first-party cookie that carries the visitor's consent state.
    "CONSENT_COOKIE_NAME": "attune_consent",
    # A consent choice is asked again after this many days.
    "CONSENT_MAX_AGE_DAYS": env_int("ATTUNE_CONSENT_MAX_AGE_DAYS", 365),
    # Global Privacy Control and Do Not Track: with no explicit choice, these categories
    # count as denied. An explicit later choice wins.
    "HONOR_GPC": True,
    "HONOR_DNT": False,
    "GPC_DENIED_CATEGORIES": ["analytics", "personalization", "marketing"],
    # Print Google Consent Mode v2 defaults with the banner (for sites that use Google tags); choices then
    # update them through gtag().
    "GOOGLE_CONSENT_MODE": False,
    # Withdrawing a category erases the data already held for it (the Celery task consent.tasks.withdrawal_erase,
    # queued by the choice; collection stops at once).
    "ERASE_ON_WITHDRAWAL": True,
    # --- Retention --------------------------------------------------------------------
    # Raw events (and sessions) older than this are purged by the scheduled retention task.
    "EVENT_RETENTION_DAYS": env_int("ATTUNE_EVENT_RETENTION_DAYS", 396),
    # Consent records are proof of consent; keep them at least as long as the data.
    "CONSENT_RECORD_RETENTION_DAYS": env_int("ATTUNE_CONSENT_RECORD_RETENTION_DAYS", 5 * 365),
    # Rows deleted per statement by purge tasks, so purges never hold long locks.
    "PURGE_BATCH_SIZE": 5000,
    # --- Aggregate exports ------------------------------------------------------------
    # Epsilon of the Laplace noise added to exported counts (differential privacy); None exports exact
    # counts. Smaller is more private and noisier. See docs/privacy.md.
    "AGGREGATE_EPSILON": None,
    # To bound what one visitor can change in an export: rows (pages or categories) a visitor counts in,
    # and page views of one visitor counted per row.
    "AGGREGATE_MAX_ROWS_PER_VISITOR": 20,
    "AGGREGATE_MAX_VIEWS_PER_ROW": 10,
    # --- Roles ------------------------------------------------------------------------
    # The site's own content models, which the Editor role may change ("app_label.model").
    "EDITOR_CONTENT_MODELS": ["demo.article", "demo.product", "demo.category"],
    # --- Tracker ----------------------------------------------------------------------
    # Path (or absolute URL) the tracker posts its batches to.
    "TRACKER_ENDPOINT": env_str("ATTUNE_TRACKER_ENDPOINT", "/collect"),
    # Origins the demo site's key accepts, on top of the site's own list.
    "DEMO_ORIGINS": env_list("ATTUNE_DEMO_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"]),
}
