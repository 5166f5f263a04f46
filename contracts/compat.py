"""Would a new JSON Schema of a contract break messages stored under the old one?

The log keeps every message forever, so a new schema of the same wire type must accept every
message the old one described. Two checks answer together:

- a walk of both schemas that names what changed, and where, as a JSON path
  (``$.school.capacity: type changed from integer to string``);
- jsonsubschema's test that every instance of the old schema is an instance of the new.

Pydantic leaves objects open (extra properties allowed), so an open new schema still accepts
a property it dropped: removals come from the walk. For the semantic test objects are closed
(an old message carries only the old properties), else adding an optional field would count
as a break. jsonsubschema reads draft 4 only, so schemas are rewritten to draft 4 with refs
inlined. It ignores ``format``; it enumerates every string of a finite ``pattern`` (it ran
for over 15 minutes on ``^[A-Z]{2}\\d{4}$``) and calls two strings with the same pattern
compatible whatever their lengths: formats and patterns are left out of it and compared by
the walk, patterns with greenery (the regex library jsonsubschema uses). The schema forms
used for both are in :mod:`contracts.schema_forms`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from contracts.schema_forms import (
    SUBSCHEMA_LISTS,
    Schema,
    draft4_closed,
    essence,
    map_children,
    resolve_refs,
)

__all__ = ["accepts_all", "incompatibilities"]

_NULL = {"type": "null"}
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "null", "array", "object"})


def incompatibilities(old: Schema, new: Schema) -> list[str]:
    """Why ``new`` cannot replace ``old`` for the same wire type; empty when it can.

    Each reason starts with the JSON path of the part that changed, ``$`` being the message.
    """
    return _compare(essence(resolve_refs(old)), essence(resolve_refs(new)), "$")


def accepts_all(old: Schema, new: Schema) -> bool:
    """Whether jsonsubschema finds every message of ``old`` valid under ``new``.

    A message of ``old`` carries only the properties ``old`` names (objects are closed).
    """
    from jsonsubschema import isSubschema

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return bool(isSubschema(draft4_closed(old), draft4_closed(new)))
        except SystemExit as exc:  # it exits instead of raising on some inputs
            raise RuntimeError(f"jsonsubschema gave up ({exc})") from None


# -- the walk ------------------------------------------------------------------------------


def _compare(old: Schema, new: Schema, path: str) -> list[str]:
    if old == new:
        return []
    old_inner, old_null = _optional(old)
    new_inner, new_null = _optional(new)
    if old_null or new_null:
        lost = [f"{path}: type narrowed, null is no longer accepted"] if not new_null else []
        return lost + _compare(old_inner, new_inner, path)
    if _is_object(old) and _is_object(new):
        reasons = _compare_objects(old, new, path)
    elif _is_array(old) and _is_array(new):
        reasons = _compare_items(old, new, path)
    else:
        return _compare_values(old, new, path)
    if reasons or _shell(old) == _shell(new):
        return reasons
    return _compare_values(old, new, path)


def _compare_objects(old: Schema, new: Schema, path: str) -> list[str]:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    reasons = [*_removed(old_props, new_props, path), *_now_required(old, new, path)]
    for name, schema in old_props.items():
        if name in new_props:
            reasons += _compare(schema, new_props[name], _child(path, name))
    old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
    if isinstance(old_extra, dict) and isinstance(new_extra, dict):
        reasons += _compare(old_extra, new_extra, f"{path}.*")
    return reasons


def _removed(old_props: Schema, new_props: Schema, path: str) -> Iterator[str]:
    added = [name for name in new_props if name not in old_props]
    for name, schema in old_props.items():
        if name in new_props:
            continue
        twins = [a for a in added if new_props[a] == schema]
        what = f"removed (renamed to {twins[0]!r}?)" if len(twins) == 1 else "removed or renamed"
        yield f"{_child(path, name)}: property {what}; stored messages carry it"


def _now_required(old: Schema, new: Schema, path: str) -> Iterator[str]:
    was_required, old_props = set(old.get("required", [])), old.get("properties", {})
    for name in new.get("required", []):
        if name in was_required:
            continue
        what = "property became required" if name in old_props else "new required property"
        yield f"{_child(path, name)}: {what}; stored messages may lack it"


def _compare_items(old: Schema, new: Schema, path: str) -> list[str]:
    old_items, new_items = old.get("items"), new.get("items")
    reasons = []
    if isinstance(old_items, dict) and isinstance(new_items, dict):
        reasons += _compare(old_items, new_items, f"{path}[*]")
    pairs = zip(old.get("prefixItems", []), new.get("prefixItems", []), strict=False)
    for index, (old_item, new_item) in enumerate(pairs):
        reasons += _compare(old_item, new_item, f"{path}[{index}]")
    return reasons


def _compare_values(old: Schema, new: Schema, path: str) -> list[str]:
    try:
        accepted = accepts_all(old, new)
    except Exception as exc:  # jsonsubschema gives up on some regexes and keywords
        return [f"{path}: could not be compared ({type(exc).__name__}: {exc}); review by hand"]
    if not accepted:
        return [f"{path}: {_why_narrower(old, new)}"]
    narrowed = [_format_narrowed(old, new), _pattern_narrowed(old, new)]
    return [f"{path}: {reason}" for reason in narrowed if reason]


# -- reasons -------------------------------------------------------------------------------


def _why_narrower(old: Schema, new: Schema) -> str:
    old_types, new_types = _types(old), _types(new)
    lost = {t for t in old_types - new_types if not (t == "integer" and "number" in new_types)}
    if lost:
        verb = "narrowed" if new_types < old_types else "changed"
        return f"type {verb} from {_show(old)} to {_show(new)}"
    old_enum, new_enum = _enum(old), _enum(new)
    if new_enum is not None and old_enum is None:
        return f"narrowed to the values {new_enum}"
    if new_enum is not None and old_enum is not None:
        gone = [value for value in old_enum if value not in new_enum]
        if gone:
            return f"enum value(s) removed: {gone}"
    tighter = [
        f"{k} {old.get(k, '(none)')} -> {v}"
        for k, v in sorted(new.items())
        if old.get(k) != v and k not in SUBSCHEMA_LISTS
    ]
    return f"constraints tightened: {', '.join(tighter) or 'see the schemas'}"


def _format_narrowed(old: Schema, new: Schema) -> str | None:
    old_format, new_format = old.get("format"), new.get("format")
    if new_format is None or new_format == old_format:
        return None
    if old_format is None:
        return f"type narrowed from any {_show(old)} to format {new_format!r}"
    return f"format changed from {old_format!r} to {new_format!r}"


def _pattern_narrowed(old: Schema, new: Schema) -> str | None:
    old_pattern, new_pattern = old.get("pattern"), new.get("pattern")
    if new_pattern is None or new_pattern == old_pattern:
        return None
    if old_pattern is None:
        return f"narrowed to strings matching '{new_pattern}'"
    try:
        if _regex_includes(new_pattern, old_pattern):
            return None
    except Exception as exc:  # greenery parses a subset of Python's regex syntax
        return (
            f"pattern changed from '{old_pattern}' to '{new_pattern}' and could not be "
            f"compared ({type(exc).__name__}); review by hand"
        )
    return f"pattern narrowed from '{old_pattern}' to '{new_pattern}'"


def _regex_includes(wide: str, narrow: str) -> bool:
    """True when every string matching ``narrow`` (JSON Schema search semantics) matches
    ``wide``."""
    from greenery import parse
    from jsonsubschema._utils import prepare_pattern_for_greenry, regex_unanchor

    def language(pattern: str) -> Any:
        return parse(prepare_pattern_for_greenry(regex_unanchor(pattern)))

    return bool((language(narrow) & language(wide).everythingbut()).empty())


def _types(schema: Schema) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    values = _enum(schema)
    if values is not None:
        return {_json_type(v) for v in values}
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return set().union(*(_types(b) for b in branches))
    return set(_ALL_TYPES)


def _show(schema: Schema) -> str:
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches and "type" not in schema:
        return " | ".join(_show(b) for b in branches)
    shown = " | ".join(sorted(_types(schema)))
    return f"{shown} ({schema['format']})" if "format" in schema else shown


def _enum(schema: Schema) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    values = [_enum(b) for b in branches]
    if values and all(v is not None for v in values):
        return [item for v in values if v is not None for item in v]
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


# -- schema shapes -------------------------------------------------------------------------


def _optional(schema: Schema) -> tuple[Schema, bool]:
    """Split ``X | None`` into (X, True); anything else into (itself, False)."""
    branches = schema.get("anyOf") if set(schema) == {"anyOf"} else None
    if isinstance(branches, list) and len(branches) == 2 and _NULL in branches:
        return next(b for b in branches if b != _NULL), True
    declared = schema.get("type")
    if isinstance(declared, list) and "null" in declared and len(declared) == 2:
        return {**schema, "type": next(t for t in declared if t != "null")}, True
    return schema, False


def _is_object(schema: Schema) -> bool:
    return schema.get("type") == "object"


def _is_array(schema: Schema) -> bool:
    return schema.get("type") == "array"


def _shell(schema: Schema) -> Schema:
    """The schema with its children blanked: what is left is the node's own constraints."""
    return map_children(schema, lambda child: {})


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if name.isidentifier() else f"{path}[{name!r}]"
