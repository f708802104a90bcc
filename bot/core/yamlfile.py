"""Content files (journeys, answers, phrasings, examples) are parsed by libyaml.

PyYAML ships libyaml's C parser as CSafeLoader: the same safe subset as yaml.safe_load,
about ten times faster. With some 20,000 example lines it was most of the startup time
(7 of 9 seconds). PyYAML's pure-Python parser is used only where libyaml is missing.

A key given twice in one mapping is an error, not "the last one wins": a second `pl:` list
under a crisis concept once silently replaced the first, and forms added to the first did
nothing.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):  # type: ignore[valid-type,misc]
    """The fast safe loader, refusing duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Like SafeLoader's, but a repeated key names both lines."""
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"key {key!r} given twice (lines {seen[key] + 1} and "
                    f"{key_node.start_mark.line + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


def parse(text: str) -> Any:
    """One YAML document, safe types only; yaml.YAMLError (with the line) if malformed or
    if a mapping repeats a key."""
    return yaml.load(text, Loader=_Loader)
