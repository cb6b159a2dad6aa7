"""What the rules would show a visitor on a page, and why each rule did or did not match (for the admin preview).

Frequency caps and offers' per-visitor use are not applied: the preview shows what the rules decide, not what a
visitor was already shown."""

import re
from dataclasses import dataclass, field

from personalization.decisions import PageContext
from segments.conditions import FieldType, Known, LeafResult, Vocabulary, explain, partially_evaluate
from segments.conditions.values import ValueProblem, value_from_text

from .compiled import CompiledRule, site_rules
from .recommendations import ItemsWanted, items_related
from .rendering import items_html
from .vocabulary import page_values

_LINE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(?:\[\s*([^\]]+?)\s*\])?\s*[=:]\s*(.*?)\s*$")
_TYPE_OPERATOR = {FieldType.TEXT_SET: "includes_all", FieldType.DATETIME: "within_last"}


@dataclass
class RulePreview:
    rule: CompiledRule
    verdict: str  # "shows", "matches (a rule above takes the slot)", "waits for the page", "does not match"...
    rows: list[LeafResult]


@dataclass
class SlotPreview:
    slot: str
    html: str = ""  # what the slot shows ("" : its default)
    shown_by: str = ""
    rules: list[RulePreview] = field(default_factory=list)


def values_from_text(text: str, vocabulary: Vocabulary) -> tuple[dict[str, object], list[str]]:
    """Values typed one per line ('purchases = 3', 'category_share[shoes] = 0.4') and a message per bad line."""
    values: dict[str, object] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        known = vocabulary.get(match[1]) if match else None
        if known is None:
            problems.append(f"line {number}: write a field name, '=' and a value, like 'purchases = 3'.")
            continue
        try:
            values[known.name] = typed(known, match[2], match[3])
        except ValueProblem as problem:
            problems.append(f"line {number}: {problem}")
    return values, problems


def typed(known, key: str | None, text: str) -> object:
    if known.type == FieldType.KEY_NUMBER:
        return {key or "": value_from_text(known, "gt", text)}
    if known.type == FieldType.DATETIME:
        raise ValueProblem(f"{known.label} cannot be typed in the preview; pick a visitor instead.")
    op = _TYPE_OPERATOR.get(known.type, "eq")
    value = value_from_text(known, op, text)
    return frozenset(value) if known.type == FieldType.TEXT_SET else value


def rules_preview(*, site_id: int, values: dict[str, object], page: PageContext) -> list[SlotPreview]:
    """Every slot with rules: what it would show and each rule's verdict with its rows explained."""
    compiled = site_rules(site_id)
    values = {**values, **page_values(page)}
    waiting = {f.name for f in compiled.vocabulary if f.known == Known.PAGE and f.name not in values}
    slots = []
    for slot, rules in compiled.by_slot.items():
        preview = SlotPreview(slot=slot)
        for rule in rules:
            verdict = rule_verdict(rule, values, waiting, page)
            if verdict in ("shows", "shows when the page's signals hold") and not preview.shown_by:
                preview.shown_by, preview.html = rule.name, preview_html(rule, site_id, page)
            elif verdict.startswith("shows"):
                verdict = "matches, but a rule above takes the slot"
            preview.rules.append(RulePreview(rule, verdict, explain(rule.condition, values, now=page.now)))
        slots.append(preview)
    return slots


def rule_verdict(rule: CompiledRule, values: dict, waiting: set[str], page: PageContext) -> str:
    if (rule.starts_at and rule.starts_at > page.now) or (rule.ends_at and rule.ends_at <= page.now):
        return "outside its dates"
    if not rule.offer_available:
        return "its offer expired or is used up"
    result = partially_evaluate(rule.condition, values, unknown=waiting, now=page.now)
    if result is False:
        return "does not match"
    return "shows" if result is True else "shows when the page's signals hold"


def preview_html(rule: CompiledRule, site_id: int, page: PageContext) -> str:
    if rule.action != "recommendations":
        return rule.html
    items = items_related(ItemsWanted(site_id=site_id, page=page, visitor_id="", limit=rule.limit))
    return items_html(items, heading=rule.html) if items else ""
