"""The part of docs/tracker-payload.md that states fields and limits, written from the declaration (payload.py).

`DEBUG=1 DJANGO_SETTINGS_MODULE=config.settings python -m personalization.collect.payload_doc` rewrites the document between its markers; a test fails while the
document and the declaration disagree. Limits read from settings are shown with their defaults and their key."""

from collections.abc import Mapping
from pathlib import Path

from .payload import PAYLOAD, Amount, Choice, EventPayload, Limit, Setting, Whole

BEGIN = "<!-- fields and limits: generated from personalization/collect/payload.py, do not edit by hand -->"
END = "<!-- end of generated fields and limits -->"
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "tracker-payload.md"


def limit_text(limit: Limit, attune: Mapping, unit: str = "") -> str:
    """A limit as the document states it: its value, and the setting it comes from."""
    if isinstance(limit, Setting):
        value = f"{attune[limit.name]:,} {limit.unit or unit}".rstrip()
        return f"{value} (`{limit.name}`)"
    return f"{limit:,} {unit}".rstrip()


def envelope_table(payload: EventPayload, attune: Mapping) -> list[str]:
    """The batch's fields, one row each."""
    rows = ["| field | required | rule |", "|---|---|---|"]
    for field in payload.envelope:
        schema = dict(field.schema)
        bounds = [f"{word} {schema[key]:,}" for key, word in (("minLength", "at least"), ("maxLength", "at most"),
                                                            ("minimum", "from"), ("maximum", "to")) if key in schema]
        shape = schema["type"] + (f", {' '.join(bounds)}" if bounds else "")
        shape += f", of `{schema['pattern']}`" if "pattern" in schema else ""
        rows.append(f"| `{field.name}` | {'yes' if field.required else 'no'} | {shape}: {field.description} |")
    rows.append(f"| `events` | yes | at most {limit_text(payload.max_events, attune)} events |")
    return rows


def event_table(payload: EventPayload, attune: Mapping) -> list[str]:
    """An event's fields, one row each."""
    types = ", ".join(f"`{kind.name}`" for kind in payload.types)
    categories = sorted({kind.category for kind in payload.types})
    seq = payload.seq
    rows = ["| field | required | rule |", "|---|---|---|",
            "| `id` | yes | a UUID, made once per event and reused when sent again: the collector stores an id once "
            "per site |",
            f"| `type` | yes | {types}; each needs consent to {', '.join(f'`{c}`' for c in categories)} |",
            f"| `ts` | yes | client time in ms (integer); after skew correction at most "
            f"{limit_text(payload.max_age_ms, attune)} old and {limit_text(payload.max_future_ms, attune)} ahead |",
            f"| `{seq.name}` | no | the tracker's sequence number, {seq.low} to {seq.high:,} |"]
    for text in payload.texts:
        required = f"for `{text.required_for}`" if text.required_for else "no"
        rows.append(f"| `{text.name}` | {required} | {text.description} At most "
                    f"{limit_text(text.max_length, attune, 'characters')}. |")
    rows.append(f"| `props`, `dims` | no | objects of at most {limit_text(payload.max_keys, attune)} keys each, keys "
                f"of at most {limit_text(payload.max_key_length, attune, 'characters')}, together at most "
                f"{limit_text(payload.max_props_bytes, attune, 'bytes')} as stored, no NUL characters; `dims` values "
                f"are strings (at most {payload.dimension_text} characters), numbers or booleans |")
    return rows


def properties_text(payload: EventPayload) -> str:
    """The properties each event type must carry well-formed, as one paragraph."""
    parts = []
    for kind in payload.types:
        for rule in kind.properties:
            if isinstance(rule, Whole):
                bound = f"{rule.low:,} to {rule.high:,}" + ("" if rule.required else ", optional")
            elif isinstance(rule, Choice):
                bound = rule.allowed()
            else:
                assert isinstance(rule, Amount)
                bound = f"{rule.low:,} to {rule.below - 1:,}, optional"
            parts.append(f"`{kind.name}.props.{rule.name}` ({bound})")
    return "Type-specific properties: " + "; ".join(parts) + "."


def generated(payload: EventPayload, attune: Mapping) -> str:
    """The generated part of the document, markers included."""
    limits = (f"Body at most {limit_text(payload.max_body_bytes, attune)} (checked before reading), nesting at most "
              f"{limit_text(payload.max_body_depth, attune)} (checked before parsing, without recursion); URLs are "
              f"kept up to {limit_text(payload.max_url_length, attune, 'characters')} and cut there, denied query "
              f"parameters (`URL_QUERY_DENYLIST`) removed. Settings are described in "
              "[configuration.md](configuration.md).")
    return "\n".join([BEGIN, "### A batch", "", *envelope_table(payload, attune), "", "### An event", "",
                      *event_table(payload, attune), "", properties_text(payload), "", "### Limits", "", limits, END])


def document_with(text: str, part: str) -> str:
    """The document `text` with its generated part replaced by `part`."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + part + tail


if __name__ == "__main__":  # with the default settings: no ATTUNE overrides in the environment
    import django
    from django.conf import settings

    django.setup()
    DOCUMENT.write_text(document_with(DOCUMENT.read_text(), generated(PAYLOAD, settings.ATTUNE)))
