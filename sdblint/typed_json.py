"""Typed JSON: frozen dataclasses to JSON text and back, checked against their annotations.

The caches keep what they store in this format because their folder lies inside the checked
project, where anyone who can commit can plant a file. Reading JSON builds nothing but lists,
strings, numbers and booleans, so no entry can run code (a pickle can: its loader calls whatever
the bytes name). Decoding then builds only the one type it is asked for, field by field, and
checks every value's type on the way: an entry of another shape raises :class:`InvalidEntry`
instead of yielding an object that breaks the analysis later.

A dataclass is written as the array of its fields in declaration order (the caches' keys cover
sdblint's code, so a reader never meets another layout); a tuple or list as an array; a dict
with string keys as an object; an optional value as itself or null; a union of dataclasses as
``[class name, fields]``. Both directions are built once per type from its annotations, so a
value is written the way the type it is read as says.
"""
from __future__ import annotations

import dataclasses
import json
from sys import intern
import types
import typing
from collections.abc import Callable

Decoder = Callable[[object], object]
Encoder = Callable[[object], object]


class InvalidEntry(ValueError):
    """The text is not JSON, or not of the shape the type says."""


def dumps(value, kind) -> bytes:
    """``value``, a ``kind``, as UTF-8 JSON text."""
    plain = codec(kind)[0](value)
    # ensure_ascii: a name that is not UTF-8 (a file name's undecodable bytes, kept as lone surrogates)
    # is written as a \u escape, which reads back as it was; UTF-8 could not hold it.
    return json.dumps(plain, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def loads(data: bytes, kind):
    """The ``kind`` value ``data`` holds; :class:`InvalidEntry` if it holds anything else."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:   # RecursionError: arrays nested deeper than the parser goes
        raise InvalidEntry(f"not JSON: {exc}") from exc
    try:
        return codec(kind)[1](value)
    except RecursionError as exc:
        raise InvalidEntry("nested deeper than any value of the type") from exc


def _fail(kind: str, value) -> InvalidEntry:
    shown = repr(value)
    return InvalidEntry(f"expected {kind}, got {shown[:60]}{'...' if len(shown) > 60 else ''}")


def _same(value):
    return value


def _string(value):
    if type(value) is not str:
        raise _fail("str", value)
    return intern(value)


def _scalar(kind: type) -> Decoder:
    def decode(value):
        if type(value) is not kind:   # `type is`, not isinstance: true is not an int here
            raise _fail(kind.__name__, value)
        return value
    return decode


def _float(value):
    if type(value) not in (int, float):
        raise _fail("float", value)
    return float(value)


def _none(value):
    if value is not None:
        raise _fail("null", value)
    return None


def _optional(inner: Codec) -> Codec:
    encode, decode = inner
    return (lambda v: None if v is None else encode(v)), (lambda v: None if v is None else decode(v))


def _sequence(inner: Codec) -> Codec:
    encode, decode = inner

    def read(value):
        if type(value) is not list:
            raise _fail("an array", value)
        return tuple(map(decode, value))
    return (lambda v: [encode(x) for x in v]), read


def _fixed(inners: list[Codec]) -> Codec:
    def read(value):
        if type(value) is not list or len(value) != len(inners):
            raise _fail(f"an array of {len(inners)}", value)
        return tuple(d(v) for (_, d), v in zip(inners, value))
    return (lambda v: [e(x) for (e, _), x in zip(inners, v)]), read


def _mapping(inner: Codec) -> Codec:
    encode, decode = inner

    def read(value):
        if type(value) is not dict:
            raise _fail("an object", value)
        return {k: decode(v) for k, v in value.items()}
    return (lambda v: {k: encode(x) for k, x in v.items()}), read


def _record(kind: type) -> Codec:
    """A dataclass as the array of its fields, each by its annotation; the fields at the end that
    hold their default are left out (most facts keep most of theirs: a third of the size)."""
    fields = dataclasses.fields(kind)
    if not all(f.init and f.default_factory is dataclasses.MISSING for f in fields):
        raise TypeError(f"typed_json builds {kind.__name__} through its __init__ from plain defaults")
    hints = typing.get_type_hints(kind)
    names = [f.name for f in fields]
    defaults = [f.default for f in fields]
    required = sum(d is dataclasses.MISSING for d in defaults)
    # By how many fields an entry gives: the positions of its strings, of its other scalars and of
    # its nested values (each with its decoder, filled below), so that reading one checks no length.
    strings = {n: [i for i in range(n) if hints[names[i]] is str] for n in range(required, len(names) + 1)}
    scalars = {n: [(i, hints[names[i]]) for i in range(n) if hints[names[i]] in (int, bool)]
               for n in range(required, len(names) + 1)}
    nested: dict[int, list[tuple[int, Decoder]]] = {n: [] for n in range(required, len(names) + 1)}
    inners: list[Codec] = []

    def write(value):
        out = [e(getattr(value, n)) for n, (e, _) in zip(names, inners)]
        end = len(out)
        while end > required and getattr(value, names[end - 1]) == defaults[end - 1]:
            end -= 1
        return out[:end] if end < len(out) else out

    def read(value):
        given = len(value) if type(value) is list else -1
        if given not in strings:
            raise _fail(f"the {len(names)} fields of {kind.__name__}", value)
        values = list(value)
        # Strings and numbers are checked here, not by a call per field: most fields are of them.
        # The same ids, names and paths recur all through a file's facts: interned, each is kept once.
        for i in strings[given]:
            if type(values[i]) is not str:
                raise _fail(f"str for {kind.__name__}.{names[i]}", values[i])
            values[i] = intern(values[i])
        for i, scalar in scalars[given]:
            if type(values[i]) is not scalar:
                raise _fail(f"{scalar.__name__} for {kind.__name__}.{names[i]}", values[i])
        for i, decode in nested[given]:
            values[i] = decode(values[i])
        return kind(*values)
    # A record may hold one of its own kind (through an optional field): it is known before its fields are.
    _BUILT[kind] = write, read
    inners.extend(codec(hints[n]) for n in names)
    for n, positions in nested.items():
        positions.extend((i, inners[i][1]) for i in range(n) if hints[names[i]] not in (str, int, bool))
    return write, read


def _tagged(kinds: tuple) -> Codec:
    """A union of dataclasses: each value with its class's name."""
    if not all(dataclasses.is_dataclass(k) for k in kinds):
        raise TypeError(f"typed_json reads unions of dataclasses only, not {kinds!r}")
    by_name = {k.__name__: codec(k) for k in kinds}

    def write(value):
        name = type(value).__name__
        return [name, by_name[name][0](value)]

    def read(value):
        if type(value) is not list or len(value) != 2 or value[0] not in by_name:
            raise _fail(f"one of {', '.join(sorted(by_name))}", value)
        return by_name[value[0]][1](value[1])
    return write, read


Codec = tuple[Encoder, Decoder]
_BUILT: dict[object, Codec] = {}


def codec(kind) -> Codec:
    """(encode, decode) for the type ``kind`` (an annotation); a type the format does not cover is
    a TypeError here, when the codec is built, never while reading an entry."""
    if kind not in _BUILT:
        _BUILT[kind] = _build(kind)
    return _BUILT[kind]


def _build(kind) -> Codec:
    if kind is str:
        return _same, _string
    if kind in (int, bool):
        return _same, _scalar(kind)
    if kind is float:
        return _same, _float
    if kind is type(None):
        return _same, _none
    if dataclasses.is_dataclass(kind):
        return _record(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        present = tuple(a for a in args if a is not type(None))
        inner = codec(present[0]) if len(present) == 1 else _tagged(present)
        return _optional(inner) if len(present) < len(args) else inner
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(codec(args[0]))
    if origin is tuple and args:
        return _fixed([codec(a) for a in args])
    if origin is dict and args[0] is str:
        return _mapping(codec(args[1]))
    raise TypeError(f"typed_json cannot read {kind!r}")
