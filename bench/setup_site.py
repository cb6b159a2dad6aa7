"""Benchmark helper, run inside Django: a site and consenting visitors; prints them as JSON."""

import json
import time

from consent.services.choices import consent_record_create
from personalization.models import Site
from personalization.services.sites import site_create

ORIGIN = "http://127.0.0.1:8000"


def main(visitors: int = 1000) -> None:
    Site.objects.filter(name="bench").delete()
    site = site_create(name="bench", origins=[ORIGIN]).site
    people = []
    for index in range(visitors):
        visitor_id = f"bench-visitor-{index:05d}"
        _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor_id, source="banner",
                                         granted={"analytics", "personalization"}, policy_version=0)
        people.append([visitor_id, token])
    print(json.dumps({"site": site.public_key, "origin": ORIGIN, "now_ms": int(time.time() * 1000), "visitors": people}))


main()
