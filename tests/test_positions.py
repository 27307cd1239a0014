"""The fast node spans are libcst's PositionProvider positions, node for node."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from sdblint.extract.positions import node_spans

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TRICKY = {
    "crlf": "def f(a,\r\n      b):\r\n    return g(a)(b)\r\n",
    "cr": "x = 1\ry = f(x)\r",
    "continuation": "x = 1 + \\\n    f(2)\nif (a and\n        b): pass\n",
    "strings": 'x = """a\nb\n""" + f"{y!r:>{w}} {g(z)}"\nq = (\n    "a"\n    "b"\n)\n',
    "decorated": "@a.b(c)\n@d\nclass C(B, metaclass=M):\n    @property\n    def p(self): return (yield)\n",
    "tabs": "if x:\n\tif y:\n\t\tz = [i for i in (1, 2) if i]\n",
    "semicolons": "a = 1; b = f(a); del a\n",
    "comments": "# c\n\nx = f(  # why\n    1,  # more\n)\n\n\n# end",
    "unicode": "s = 'ünï' + f('😀', ж=1)\n",
    "match": "match p:\n    case {'k': [1, *rest]} if rest:\n        pass\n    case C(x=1) | D():\n        pass\n",
    "empty": "",
    "async": "async def f():\n    async with a as b, c:\n        async for x in y:\n            await z(x)\n",
}


def provider_spans(module: cst.Module) -> dict[int, tuple[int, int, int, int]]:
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(n): (r.start.line, r.start.column, r.end.line, r.end.column) for n, r in ranges.items()}


def sources():
    yield from ((name, text) for name, text in sorted(TRICKY.items()))
    for path in sorted(FIXTURES.rglob("*.py")):
        yield path.relative_to(FIXTURES).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "text"), list(sources()), ids=lambda v: v if len(v) < 60 else "")
def test_spans_equal_libcst_positions(name, text):
    module = cst.parse_module(text)
    spans, expected = node_spans(module), provider_spans(module)
    assert spans.keys() == expected.keys()
    assert {k: v for k, v in spans.items() if expected[k] != v} == {}


def test_the_fast_state_is_used_not_the_fallback(monkeypatch):
    """A fallback that always ran would pass the test above on its own."""
    def no_public_provider(*args, **kwargs):
        raise AssertionError("the public provider was used")
    monkeypatch.setattr(MetadataWrapper, "resolve", no_public_provider)
    module = cst.parse_module("x = f(1)\n")
    assert node_spans(module)[id(module.body[0])] == (1, 0, 1, 8)
