"""Extraction of many files: from the cache where the content is unchanged, else in parallel
worker processes. A worker that dies (a crash in a native parser, `kill -9`) costs at most the
file it held, not the run: a new pool of the same width goes on with the rest, the files that
were in flight are retried one process each, and one that kills its process again is reported.
A run that stops (Ctrl-C, SIGTERM) ends its workers at once, and a worker whose parent is gone
ends itself."""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass

from ..facts import ModuleFacts, ParseError
from ..limits import MAX_FILE_BYTES
from . import crash_error, extract_bytes, timeout_error
from .cache import FactsCache, content_digest, decoded, encoded

# Below this many files to extract, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64
# Files above this size (about 25,000 lines: generated code, data dumps) are extracted in a
# process of their own that is killed when its time budget runs out: CPython's parser holds
# the interpreter while it works, so in-process the budget could only be checked afterwards.
LARGE_FILE_BYTES = 1_000_000
# Files handed to the pool ahead of the results, per worker: enough that no worker waits while
# the parent takes in a result. They are also what a dying worker puts under suspicion.
AHEAD_PER_WORKER = 2
# How often a worker looks whether its parent is still there.
PARENT_CHECK_SECONDS = 1.0


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


def too_large_error(rel: str) -> ParseError:
    return ParseError(rel, f"not analysed: larger than the per-file limit of {MAX_FILE_BYTES / 1e6:g} MB (MAX_FILE_BYTES)")


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
    oversized = [i for i in misses if len(inputs[i][1]) > MAX_FILE_BYTES]
    large = [i for i in misses if LARGE_FILE_BYTES < len(inputs[i][1]) <= MAX_FILE_BYTES]
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
        with closing(_in_processes(work, workers)) as done_in_workers:   # closed at once if the run stops
            for position, payload in done_in_workers:
                settle(small[position], payload)
    for index in large:
        settle(index, _killable((inputs[index][0], inputs[index][1], timeout)))
    for index in oversized:
        settle(index, encoded(too_large_error(inputs[index][0])))
    return Extraction(results, len(misses), len(inputs) - len(misses))


def _in_processes(work, workers: int, task=_work) -> Iterator[tuple[int, Payload]]:
    """``task`` over ``work`` in ``workers`` processes (``task`` is a parameter for the tests of a
    dying worker): (position in ``work``, payload) as each is done, each let go of once handed
    over, so the encoded results of a whole project are never held at once. When a worker dies,
    a new pool of the same width takes the files not yet started; the files that were in flight
    (one of them may be the cause) are tried again one process each, after the rest."""
    waiting = deque(range(len(work)))
    suspects: list[int] = []
    while waiting:
        suspects += yield from _through_pool(work, waiting, workers, task)
    for index in sorted(suspects):
        yield index, _alone(work[index], task)


def _through_pool(work, waiting: deque[int], workers: int, task) -> Generator[tuple[int, Payload], None, list[int]]:
    """Files taken from ``waiting`` through one pool, a few ahead of the results; returns the
    files in flight when a worker died (none if the pool finished them all)."""
    in_flight: dict[Future, int] = {}
    with _pool(workers) as pool:
        while waiting or in_flight:
            while waiting and len(in_flight) < workers * AHEAD_PER_WORKER:
                index = waiting.popleft()
                in_flight[pool.submit(task, work[index])] = index
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            if any(isinstance(future.exception(), BrokenProcessPool) for future in done):
                break
            for index, future in sorted((in_flight.pop(f), f) for f in done):
                yield index, future.result()
    # A worker died: what finished before it did is kept, the rest is under suspicion.
    for index, future in sorted((i, f) for f, i in in_flight.items()):
        if future.exception() is None:
            yield index, future.result()
    return sorted(i for f, i in in_flight.items() if f.exception() is not None)


def _alone(job, task) -> Payload:
    """One file in a process of its own: if that process dies too, the file is the cause."""
    with _pool(1) as pool:
        try:
            return pool.submit(task, job).result()
        except BrokenProcessPool:
            return encoded(crash_error(job[0]))


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of worker processes, shut down on the way out; when the work is abandoned (Ctrl-C,
    SIGTERM, an error), at once: the queued files are cancelled and the workers killed, not left
    to finish the files they hold."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_worker_started,
                               initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        processes = list((pool._processes or {}).values())   # no public way to end them before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join()
        raise
    pool.shutdown(wait=True)


def _context():
    """Workers forked where the OS can (they start with the parent's modules loaded and are its
    children, whose parent they can watch), spawned elsewhere."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _worker_started(parent: int) -> None:
    """In each worker process, first: Ctrl-C reaches the whole process group, but the parent
    decides and ends the workers, so a worker ignores it; SIGTERM ends a worker as it ends any
    process (a forked worker would inherit the parent's handler). A watch ends the worker when its
    parent is gone, whatever ended the parent (SIGKILL, the OOM killer), instead of leaving it
    waiting for work forever. ``parent`` is the pid of the process that started the worker (which
    may be gone already)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="sdblint-parent-watch", daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _killable(job) -> Payload:
    """One large file in a process that is killed once its budget is spent."""
    rel, _, timeout = job
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(job, send, os.getpid()), daemon=True)
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


def _send_result(job, send, parent: int) -> None:
    _worker_started(parent)
    send.send(_work(job))
    send.close()
