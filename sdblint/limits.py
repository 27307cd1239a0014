"""Every limit that can drop a flow, with why it has its value, and the count of times a run hit it.

A limit that is hit is never silent: the count is in the run's statistics (`--verbose`, and
``statistics.limits`` in JSON), so a finding lost to a limit can be looked for.
"""
from __future__ import annotations

from collections import Counter

# Paths kept per value (which client, which class instance a value can be): enough for a value
# built in a few ways, e.g. a client from one of several factories; more is almost always a
# value that flows everywhere (a `self` passed around), whose paths say nothing.
MAX_PATHS = 12
# Rounds of function summaries: each round lets a result flow out through one more wrapper
# level (`ask` -> `complete` -> `chat`); real agent code nests wrappers three or four deep.
SUMMARY_ROUNDS = 6
# Distinct verification states kept per graph node: the states differ in the checks collected
# on the way; past a few, more add nothing a finding could report but cost time.
MAX_STATES_PER_NODE = 8
# How far a data attribute is followed to what it holds (`app.config.client.chat`).
MAX_EXPAND_DEPTH = 3
# Re-exports followed to find where a name is defined (`from .a import x` in a chain of packages).
MAX_IMPORT_HOPS = 20
# Receiver calls searched for the one that checks (`input(...).strip().lower()`).
MAX_CHECKING_CALL_DEPTH = 4
# Values visited to find the functions in a dict of tools behind a dispatch.
MAX_TABLE_NODES = 64
# Receiver hops from a graph's `invoke` back to the builder it was compiled from.
MAX_BUILDER_HOPS = 4
# Forwarding functions followed from one call site (`run_as_str(*a)` -> `run(*a)` -> `_post(*a)`);
# deeper chains of `*args` wrappers are rare, and a recursive forwarder would never end.
MAX_FORWARDING_DEPTH = 4
# Forwarded bindings made for one call as written: each level of wrappers multiplies by the calls
# it forwards to and the functions each can be (a `forward(*args)` on any of hundreds of model
# classes), so a budget keeps the cost linear in the call sites.
MAX_FORWARDED_BINDS = 256

# One flow per source (findings/per_source.py): the values walked back from one reported sink, and
# the states walked forward from its sources. A sink fed by half the project is explained by the
# flows propagation kept; a reviewer reads a handful of paths, not thousands.
MAX_FLOW_SEARCH_NODES = 1500
MAX_FLOW_SEARCH_STATES = 15000
# Flows shown per finding (one per source, the best first); the other sources are still listed.
MAX_FLOWS_PER_FINDING = 8

# Nesting of the fields a value is known to be held in (`Envelope(session=Session(reply=text))`:
# `session.reply`). A deeper field is kept as its first segments, which only widens the taint (the
# whole `session.reply` instead of one of its parts), so this limit never drops a flow.
MAX_FIELD_DEPTH = 3

# Nested definitions read to find a configured URL's constant text (`self._endpoint()` returning
# `f"{self.config.base}/search"`, the config built from a parameter whose default is a constant).
# A deeper text is left unknown, which only keeps a request's body a payload: it never drops a flow.
MAX_SETTING_DEPTH = 24
# Definitions read for one such text: a URL is configured in a handful of steps; the bound keeps a
# module of long assignment chains from costing more than a few hundred reads per question.
MAX_SETTING_STEPS = 400

# Plain assignments followed back from an object to the constructor calls it was built by, to read
# its attributes field by field (`e = Edge(fact=text); e.uuid`); past it the object is tainted whole.
MAX_CONSTRUCTED_ORIGINS = 16

# Bytes of one file that are analysed; a larger file is reported as not analysed, unread past the
# limit. It bounds a file's memory: parsing takes about 0.35 KiB per byte of hand-written code and
# up to 1.4 KiB per byte of dense generated code (`v1 = f(a, b, c=1)` line after line), so a file
# at the limit peaks near 2 GiB at worst. The largest hand-written files of the bench corpus are
# 0.6 MB; generated files of 10 MB and more (tables, API clients) are what it stops.
MAX_FILE_BYTES = 1_500_000


class LimitHits:
    """How often each limit was reached in one run (a counter shared by the analysis stages)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def hit(self, name: str, times: int = 1) -> None:
        self.counts[name] += times

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))
