"""The callee-pattern language of the catalog (documented in ``rules/proposers.toml``):
dotted paths where ``*`` matches within a segment, ``**`` any number of segments, ``{a,b}``
either alternative, ``()`` a call and ``('x')`` a call whose first argument is ``'x'``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..config.errors import ConfigError


@dataclass(frozen=True)
class Pattern:
    text: str
    source: str   # the regular expression; a bad pattern fails when the catalog loads, as a config error

    @cached_property
    def regex(self) -> re.Pattern:
        """Compiled on first use: compiling the catalog's 500 patterns is most of its load time, and
        a run the run cache answers (or `sdblint rules`) never matches one."""
        return re.compile(self.source)

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None



_SEGMENT_TOKEN = re.compile(r"\{[^}]*\}|\*|\('[^']*'\)|\(\)|[^*{(]+")


def split_segments(text: str) -> list[str]:
    """Split on dots that are outside parentheses and braces."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def segment_regex(segment: str, source: str) -> str:
    out = []
    for token in _SEGMENT_TOKEN.findall(segment):
        if token == "*":
            out.append(r"[^.()]*")
        elif token == "()":
            out.append(r"\([^().]*\)")
        elif token.startswith("('{"):
            options = [o.strip() for o in token[3:-3].split(",")]
            out.append(r"\('(?:" + "|".join(re.escape(o) for o in options) + r")'\)")
        elif token.startswith("("):
            out.append(re.escape(token))
        elif token.startswith("{"):
            options = [o.strip() for o in token[1:-1].split(",")]
            out.append("(?:" + "|".join(pattern_body(o, source) for o in options) + ")")
        else:
            out.append(re.escape(token))
    if "".join(_SEGMENT_TOKEN.findall(segment)) != segment:
        raise ConfigError(source, "patterns", f"a valid callee pattern (could not read {segment!r})")
    return "".join(out)


def pattern_body(text: str, source: str) -> str:
    segments = split_segments(text)
    rx = ""
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            rx += r"[^.]+(?:\.[^.]+)*" if last else r"(?:[^.]+\.)*"
            continue
        if not seg:
            raise ConfigError(source, "patterns", f"a dotted callee pattern without empty segments, got {text!r}")
        rx += segment_regex(seg, source) + ("" if last else r"\.")
    return rx


@lru_cache(maxsize=None)
def compile_pattern(text: str, source: str = "rules") -> Pattern:
    return Pattern(text, pattern_body(text, source) + r"\Z")


