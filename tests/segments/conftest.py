import pytest
from threadpoolctl import threadpool_limits

from consent.services.choices import consent_record_create
from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from segments.models import Segment, Webhook

from ..conftest import now_ms
from .webhook_receiver import receiver_start

VISITOR = "visitor-0001"
LOYAL = {"all": [{"field": "purchases", "op": "gte", "value": 2}]}


@pytest.fixture(autouse=True)
def one_thread_per_test():
    """Run scikit-learn single-threaded: on a shared, oversubscribed machine OpenMP's spinning threads make small
    fits up to 20 times slower, and these tests fit small samples where a second thread gains nothing."""
    with threadpool_limits(limits=1):
        yield


# --- Webhooks: a visitor who becomes loyal by buying twice, with or without marketing consent; real receivers ---

def purchase(site, n: int, visitor: str = VISITOR) -> None:
    event = CollectedEvent(f"0193a1b2-c3d4-7e5f-a000-{n:012d}", "track", "purchase", now_ms() - 1000 + n, 0,
                           "https://shop.example/checkout", "/checkout", "", f"pv-{n}", "", {"revenue": 10}, {},
                           "analytics")
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now_ms(), visitor_id=visitor,
                                  consent="analytics,necessary,personalization", events=[event])])


@pytest.fixture
def webhook_embedded(settings):
    """The embedded default, even when REDIS_URL names a broker (CI's): deliveries wait for the scheduled run."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def loyal_segment(site):
    return Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE, conditions=LOYAL)


@pytest.fixture
def marketing_allowed(site):
    consent_record_create(site_key=site.public_key, visitor_id=VISITOR, source="banner", policy_version=0,
                          granted={"analytics", "personalization", "marketing"})


@pytest.fixture
def webhook_receiver():
    servers = []

    def start(*answers: int):
        state, server = receiver_start(list(answers) or [200])
        servers.append(server)
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def becomes_loyal(site, loyal_segment, django_capture_on_commit_callbacks):
    def buy_twice(visitor: str = VISITOR) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            purchase(site, 1, visitor)
            purchase(site, 2, visitor)

    return buy_twice


def webhook_to(site, url: str, **fields) -> Webhook:
    return Webhook.objects.create(site=site, name=fields.pop("name", "CRM"), url=url, **fields)
