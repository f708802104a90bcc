"""Content files (journeys, answers, phrasings, examples) are parsed by libyaml.

PyYAML ships libyaml's C parser as CSafeLoader: the same safe subset as yaml.safe_load,
about ten times faster. With some 20,000 example lines it was most of the startup time
(7 of 9 seconds). PyYAML's pure-Python parser is used only where libyaml is missing.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """One YAML document, safe types only; yaml.YAMLError (with the line) if malformed."""
    return yaml.load(text, Loader=_LOADER)
