"""Model endpoints: the HTTP APIs that serve a model, known by the shape of their URL
(`[[model_endpoint]]` in rules/proposers.toml)."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelEndpoint:
    """A request to this API is an inference call: its body is the prompt, its answer model output."""

    label: str
    url: re.Pattern            # searched in a URL's constant text, its query string cut off
    writes_text: bool = True   # False for an embedding API: its answer is vectors, not model text


def endpoint_for(endpoints: tuple[ModelEndpoint, ...], url_text: str) -> ModelEndpoint | None:
    """The model API a URL names, from the URL's constant text as the extractor keeps it
    ("http://localhost:11434/api/chat", "{}/v1/chat/completions?api-version={}", a relative
    "/v1/messages"); None for any other URL or an unknown one ("{}")."""
    path = url_text.partition("?")[0].partition("#")[0]
    return next((e for e in endpoints if e.url.search(path)), None)
