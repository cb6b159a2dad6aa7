"""Benchmark helper, run inside Django: a site with a rule segment (so storing events does the segment work: stamps
on events and refreshed memberships) and consenting visitors; prints them as JSON."""

import json
import time

from consent.services.choices import consent_record_create
from personalization.models import Site
from personalization.services.sites import site_create
from segments.models import Segment

ORIGIN = "http://127.0.0.1:8000"


def main(visitors: int = 1000) -> None:
    Site.objects.filter(name="bench").delete()
    site = site_create(name="bench", origins=[ORIGIN]).site
    Segment.objects.create(site=site, name="Engaged", slug="engaged", kind=Segment.Kind.RULE,
                           conditions={"all": [{"field": "sessions", "op": "gte", "value": 1}]})
    people = []
    for index in range(visitors):
        visitor_id = f"bench-visitor-{index:05d}"
        _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor_id, source="banner",
                                         granted={"analytics", "personalization"}, policy_version=0)
        people.append([visitor_id, token])
    print(json.dumps({"site": site.public_key, "origin": ORIGIN, "now_ms": int(time.time() * 1000), "visitors": people}))


main()
