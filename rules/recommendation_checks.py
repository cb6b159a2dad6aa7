"""Watching for too much of the same: the hourly check replays the recommendations of the visitors who most recently
saw a recommendation rule (on the last item page each of them viewed) and measures how concentrated each list is on
few categories (recommend_math.concentration), and how many lists explored another category."""

import logging
from statistics import fmean

from django.utils import timezone

from personalization.decisions import PageContext
from personalization.models import Site
from personalization.selectors import events_for_profile, profile_for_visitor

from .models import RecommendationConcentration, Rule, RuleExposure
from .recommend_math import concentration
from .recommendations import ITEM_PAGE_TYPES, exploring, item_keys_recommended, items_categories

logger = logging.getLogger(__name__)
SAMPLE = 200
SINGLE_CATEGORY = 0.999  # a list's index at which all its items share one category


def last_item_page(*, profile_id: int) -> PageContext | None:
    """The last product or article page the person viewed, as the page their recommendations were made for."""
    for event in events_for_profile(profile_id=profile_id, types=["page_view"], limit=20):
        page_type = event.props.get("page_type") if isinstance(event.props, dict) else None
        if page_type in ITEM_PAGE_TYPES:
            return PageContext(path=event.path, page_type=page_type, category=event.category)
    return None


def recommendation_concentration_measure(*, site_id: int, sample: int = SAMPLE) -> RecommendationConcentration | None:
    """Replay the recommendations of up to `sample` recently exposed visitors and store how concentrated they were;
    None when the site has no recommendation rule anybody saw."""
    rules = dict(Rule.objects.filter(site_id=site_id, action=Rule.Action.RECOMMENDATIONS)
                 .values_list("pk", "recommendations"))
    recent = RuleExposure.objects.filter(rule_id__in=rules).order_by("-last_at").values_list("visitor_id", "rule_id")
    visitors: dict[str, int] = {}
    for visitor_id, rule_id in recent[: sample * 3]:
        visitors.setdefault(visitor_id, rule_id)  # each visitor once, with the rule they saw last
    indexes, explored = [], 0
    for visitor_id, rule_id in list(visitors.items())[:sample]:
        profile = profile_for_visitor(site_id=site_id, visitor_id=visitor_id)
        page = last_item_page(profile_id=profile.pk) if profile else None
        if page is None:
            continue
        keys = item_keys_recommended(site_id=site_id, page=page, visitor_id=visitor_id, limit=rules[rule_id])
        index = concentration(keys, items_categories(site_id=site_id, keys=keys))
        if index is not None:
            indexes.append(index)
            explored += exploring(visitor_id=visitor_id, page=page)
    if not indexes:
        return None
    return RecommendationConcentration.objects.create(
        site_id=site_id, measured_at=timezone.now(), visitors=len(indexes), mean=fmean(indexes),
        single_category_share=sum(index >= SINGLE_CATEGORY for index in indexes) / len(indexes),
        explored_share=explored / len(indexes))


def recommendation_concentration_measure_all() -> int:
    """Every site's check; returns how many sites were measured."""
    measured = 0
    for site_id in Site.objects.order_by("pk").values_list("pk", flat=True):
        try:
            measured += recommendation_concentration_measure(site_id=site_id) is not None
        except Exception:  # one site's failure must not keep the others unmeasured
            logger.exception("recommendations of site %s could not be measured; the next hourly run tries again",
                             site_id)
    return measured
