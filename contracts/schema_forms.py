"""Forms of a JSON Schema that make two versions comparable.

- :func:`resolve_refs`: every local ``$ref`` inlined, so a nested model renamed (another
  ``$defs`` key) is the same schema;
- :func:`essence`: only what validates, without titles, descriptions, defaults, ``x-`` keys;
- :func:`draft4_closed`: the draft 4 dialect jsonsubschema reads, objects closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Schema", "draft4_closed", "essence", "map_children", "resolve_refs"]

Schema = dict[str, Any]

_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "$id", "$schema"}
    | {"deprecated", "readOnly", "writeOnly"}
)
_SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "additionalItems", "not", "contains", "propertyNames"}
    | {"if", "then", "else", "unevaluatedItems", "unevaluatedProperties"}
)
SUBSCHEMA_LISTS = frozenset({"anyOf", "allOf", "oneOf", "prefixItems", "items"})
_SUBSCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def resolve_refs(schema: Schema) -> Schema:
    """A copy of ``schema`` with every local ``$ref`` replaced by what it points to.

    A recursive reference becomes ``{}`` (anything) where it recurs: changes below that
    point are only seen at its first occurrence.
    """

    def resolve(node: Schema, trail: frozenset[str]) -> Schema:
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in trail:
                return {}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return resolve({**_pointer(schema, ref), **siblings}, trail | {ref})
        kept = {k: v for k, v in node.items() if k not in ("$defs", "definitions")}
        return map_children(kept, lambda child: resolve(child, trail))

    return resolve(schema, frozenset())


def essence(schema: Schema) -> Schema:
    """What validates: annotations dropped, ``required`` sorted, a lone ``allOf`` unwrapped."""

    def strip(node: Schema) -> Schema:
        kept = {k: v for k, v in node.items() if k not in _ANNOTATIONS and not k.startswith("x-")}
        if isinstance(kept.get("required"), list):
            kept["required"] = sorted(kept["required"])
        all_of = kept.get("allOf") if set(kept) == {"allOf"} else None
        if isinstance(all_of, list) and len(all_of) == 1:
            return dict(all_of[0])
        return kept

    return _transform(schema, strip)


def draft4_closed(schema: Schema) -> Schema:
    """The schema as jsonsubschema reads it: draft 4, refs inlined, objects closed.

    ``format`` and ``pattern`` are dropped: jsonsubschema ignores the first and can take
    hours over the second; the caller compares them itself.
    """

    def rewrite(node: Schema) -> Schema:
        node = {k: v for k, v in node.items() if k not in ("format", "pattern")}
        if "const" in node:
            node["enum"] = [node.pop("const")]
        for bound, strict in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            limit = node.get(strict)
            if isinstance(limit, int | float) and not isinstance(limit, bool):
                node[bound], node[strict] = limit, True
        if "prefixItems" in node:
            rest = node.pop("items", None)
            node["items"] = node.pop("prefixItems")
            if rest is not None:
                node["additionalItems"] = rest
        if "properties" in node:
            node.setdefault("additionalProperties", False)
        return node

    return _transform(essence(resolve_refs(schema)), rewrite)


def map_children(node: Schema, fn: Callable[[Schema], Schema]) -> Schema:
    """A copy of ``node`` with ``fn`` applied to each of its direct subschemas."""
    out: Schema = {}
    for key, value in node.items():
        if key in _SUBSCHEMA and isinstance(value, dict):
            out[key] = fn(value)
        elif key in SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [fn(v) if isinstance(v, dict) else v for v in value]
        elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: fn(v) if isinstance(v, dict) else v for name, v in value.items()}
        else:
            out[key] = value
    return out


def _transform(node: Schema, fn: Callable[[Schema], Schema]) -> Schema:
    """Apply ``fn`` to every subschema, innermost first."""
    return fn(map_children(node, lambda child: _transform(child, fn)))


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $refs can be resolved, not {ref!r}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node
