"""Extraction of many files: from the cache where the content is unchanged, else in parallel
worker processes. A worker that dies (a crash in a native parser) costs the file it held, not
the run: the unfinished files are retried one process each, and the one that kills its
process again is reported."""
from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ..facts import ModuleFacts, ParseError
from . import crash_error, extract_bytes, timeout_error
from .cache import FactsCache, content_digest, decoded, encoded

# Below this many files to extract, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64
# Files above this size (about 25,000 lines: generated code, data dumps) are extracted in a
# process of their own that is killed when its time budget runs out: CPython's parser holds
# the interpreter while it works, so in-process the budget could only be checked afterwards.
LARGE_FILE_BYTES = 1_000_000


Payload = bytes   # a ModuleFacts | ParseError in the cache's format (extract.cache.encoded)


@dataclass(frozen=True)
class Extraction:
    results: list[ModuleFacts | ParseError]
    extracted: int
    cached: int


def merged(parts: list[tuple[list[int], Extraction]]) -> Extraction:
    """One extraction from parts that each cover the inputs at their positions."""
    results: list = [None] * sum(len(positions) for positions, _ in parts)
    for positions, part in parts:
        for position, result in zip(positions, part.results):
            results[position] = result
    return Extraction(results, sum(p.extracted for _, p in parts), sum(p.cached for _, p in parts))


def _work(job: tuple[str, bytes, float | None]) -> Payload:
    """One file's result, encoded where it is made: it crosses from the worker as it is, and
    the cache stores those very bytes, so the parent never encodes facts again."""
    rel, data, timeout = job
    payload = encoded(extract_bytes(rel, data, timeout))
    # A libcst tree holds cycles and the run pauses the automatic collector (forked workers
    # inherit that): the file's garbage goes now, and it is all the youngest generation holds.
    gc.collect(0)
    return payload


Progress = Callable[[int, int], None]


def extract_all(inputs: list[tuple[str, bytes]], cache: FactsCache | None, jobs: int | None,
                timeout: float | None, progress: Progress | None = None,
                contents: list[str] | None = None) -> Extraction:
    """Facts of every input; ``progress(done, total)`` after each file extracted (cached ones are
    free). ``contents`` are the inputs' :func:`content_digest`, when the caller has them already."""
    if cache is not None and contents is None:
        contents = [content_digest(data) for _, data in inputs]
    results: list[ModuleFacts | ParseError | None] = \
        [cache.load(rel, content) for (rel, _), content in zip(inputs, contents)] if cache is not None else [None] * len(inputs)
    misses = [i for i, r in enumerate(results) if r is None]
    large = [i for i in misses if len(inputs[i][1]) > LARGE_FILE_BYTES]
    small = [i for i in misses if len(inputs[i][1]) <= LARGE_FILE_BYTES]
    work = [(inputs[i][0], inputs[i][1], timeout) for i in small]
    workers = max(1, jobs or os.cpu_count() or 1)
    done = 0

    def settle(index: int, payload: Payload) -> None:
        nonlocal done
        result = results[index] = decoded(payload)
        if cache is not None and not (isinstance(result, ParseError) and result.transient):
            cache.store(inputs[index][0], contents[index], payload)
        done += 1
        if progress is not None:
            progress(done, len(misses))

    if len(work) < PARALLEL_THRESHOLD or workers < 2:
        for index, job in zip(small, work):
            settle(index, _work(job))
    else:
        for position, payload in _in_processes(work, workers):
            settle(small[position], payload)
    for index in large:
        settle(index, _killable((inputs[index][0], inputs[index][1], timeout)))
    return Extraction(results, len(misses), len(inputs) - len(misses))


def _in_processes(work, workers: int, task=_work) -> Iterator[tuple[int, Payload]]:
    """``task`` over ``work`` in ``workers`` processes (``task`` is a parameter for the tests of a
    dying worker): (position in ``work``, payload) in order, each let go of once handed over, so
    the encoded results of a whole project are never held at once."""
    delivered = 0
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: list[Future | None] = [pool.submit(task, job) for job in work]
            for index, future in enumerate(futures):
                payload = future.result()
                futures[index] = None
                delivered = index + 1
                yield index, payload
    except BrokenProcessPool:
        for index in range(delivered, len(work)):
            yield index, _alone(work[index], task)


def _alone(job, task) -> Payload:
    """One file in a process of its own: if that process dies too, the file is the cause."""
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(task, job).result()
    except BrokenProcessPool:
        return encoded(crash_error(job[0]))


def _killable(job) -> Payload:
    """One large file in a process that is killed once its budget is spent."""
    rel, _, timeout = job
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(job, send), daemon=True)
    process.start()
    send.close()
    try:
        if receive.poll(timeout):
            return receive.recv()
    except EOFError:   # the process died before it could answer
        return encoded(crash_error(rel))
    finally:
        process.kill()
        process.join()
        receive.close()
    return encoded(timeout_error(rel, timeout))


def _send_result(job, send) -> None:
    send.send(_work(job))
    send.close()
