"""Long fuzz campaign for sdblint (not run by CI; ``tests/test_fuzz.py`` is the CI slice).

Runs N generated cases through ``sdblint.pipeline.run_sources`` in worker processes, and saves
every case that fails: an SDB999 internal-error finding, an exception out of ``run_sources``,
an "internal error while extracting facts", a lost file, a worker that died, or a case that
takes longer than the per-case timeout. Then it groups the failures by signature (kind,
exception type, innermost sdblint frame), shrinks one case per signature, and prints a summary.

Run it from the repository root, with the test extra installed::

    /work/venv/bin/python tests/fuzz/campaign.py 10000 /tmp/fuzz-crashes
    /work/venv/bin/python tests/fuzz/campaign.py 2000 /tmp/fuzz-mut --generators mutate,break

    # a long run in the background
    nohup /work/venv/bin/python tests/fuzz/campaign.py 10000 /tmp/fuzz-crashes > /tmp/fuzz.log 2>&1 &

Options: ``--workers`` (2), ``--timeout`` seconds per case (30), ``--generators`` any of
grammar, node (hypothesmith's two; the default), mutate, break (the fixtures, mutated or
broken), ``--seed`` (0; chunks of cases are seeded from it, so a campaign can be repeated),
``--chunk`` cases per seeded hypothesis run (50), ``--no-reduce``, ``--reduce-time`` (180 s).

OUTDIR gets ``failures/<n>-<kind>-<generator>/`` (the case's files and ``meta.json`` with
the message and traceback), ``minimal/<n>-<kind>/`` (the shrunk reproducer of each distinct
failure) and ``summary.json``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # tests/, for the fuzz package

from fuzz.cases import Case, Problem, diagnose, run_and_check, signature
from sdblint.pipeline import Options

CAMPAIGN_OPTIONS = Options(jobs=1, file_timeout=None)   # the campaign's own timeout applies instead


# ---------------------------------------------------------------- worker side
def worker_main(conn) -> None:
    import warnings

    from hypothesis import HealthCheck, Phase, given, seed, settings

    from fuzz.cases import any_case
    from sdblint.extract.parse import RECURSION_LIMIT

    warnings.simplefilter("ignore")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    while True:
        job = conn.recv()
        if job is None:
            return
        generator, chunk_seed, count = job
        sent = [0]

        @seed(chunk_seed)
        @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(any_case(generator))
        def body(case: Case) -> None:
            if sent[0] >= count:  # noqa: B023
                return
            sent[0] += 1  # noqa: B023
            conn.send(("start", case))
            started = time.monotonic()
            problems, result = run_and_check(case, CAMPAIGN_OPTIONS)
            traces = []
            for problem in problems:
                try:
                    traces.append(diagnose(case, problem))
                except Exception:   # a bug of the harness must not lose the case  # noqa: BLE001
                    traces.append("diagnose failed:\n" + traceback.format_exc())
            errors = len(result.errors) if result is not None else 0
            conn.send(("done", problems, traces, time.monotonic() - started, errors))

        try:
            body()
        except Exception:   # hypothesis itself gave up on this chunk (unsatisfiable, ...)  # noqa: BLE001
            conn.send(("chunk-error", traceback.format_exc(limit=3)))
        conn.send(("chunk-end",))


# ---------------------------------------------------------------- parent side
@dataclass
class Worker:
    process: multiprocessing.Process
    conn: object
    generator: str = ""
    case: Case | None = None
    started: float = 0.0
    left: int = 0                    # cases still to come from its chunk
    busy: bool = False


@dataclass
class Failure:
    kind: str
    generator: str
    case: Case
    problem: Problem
    trace: str
    seconds: float
    sig: str = ""


@dataclass
class Tally:
    run: int = 0
    by_generator: Counter = field(default_factory=Counter)
    with_errors: Counter = field(default_factory=Counter)   # cases where some file was unanalysable
    failures: list[Failure] = field(default_factory=list)
    chunk_errors: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)


def spawn(context) -> Worker:
    parent, child = context.Pipe()
    process = context.Process(target=worker_main, args=(child,), daemon=True)
    process.start()
    child.close()
    return Worker(process, parent)


def save_case(directory: Path, case: Case, meta: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for rel, text in case.sources.items():
        target = directory / "src" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
    (directory / "meta.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")


def record(tally: Tally, outdir: Path, failure: Failure) -> None:
    failure.sig = signature(failure.problem, failure.trace)
    tally.failures.append(failure)
    n = len(tally.failures)
    save_case(outdir / "failures" / f"{n:04d}-{failure.kind}-{failure.generator}", failure.case, {
        "kind": failure.kind, "signature": failure.sig, "generator": failure.generator, "label": failure.case.label,
        "group": failure.case.group, "origin": failure.case.origin, "detail": failure.problem.detail,
        "seconds": round(failure.seconds, 3), "traceback": failure.trace})
    print(f"[{tally.run}] {failure.kind} ({failure.generator}): {failure.problem.detail[:200]}", flush=True)


def campaign(args) -> Tally:
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    generators = args.generators.split(",")
    tally, chunk_no = Tally(), 0
    workers = [spawn(context) for _ in range(args.workers)]
    last_report = time.monotonic()

    def outstanding(exclude=None) -> int:
        return sum(w.left for w in workers if w is not exclude and w.busy)

    def assign(w: Worker) -> bool:
        nonlocal chunk_no
        need = args.n - tally.run - outstanding(w) - (1 if w.case else 0)
        if need <= 0:
            return False
        count = min(args.chunk, need)
        w.generator = generators[chunk_no % len(generators)]
        w.conn.send((w.generator, args.seed * 1_000_003 + chunk_no, count))
        w.left, w.busy, chunk_no = count, True, chunk_no + 1
        return True

    def replace_worker(w: Worker) -> Worker:
        w.process.kill()
        w.process.join()
        w.conn.close()
        fresh = spawn(context)
        workers[workers.index(w)] = fresh
        return fresh

    for w in workers:
        assign(w)
    while any(w.busy for w in workers):
        ready = wait([w.conn for w in workers if w.busy], timeout=0.5)
        for w in [w for w in workers if w.conn in ready]:
            try:
                while w.conn.poll():
                    message = w.conn.recv()
                    if message[0] == "start":
                        w.case, w.started = message[1], time.monotonic()
                    elif message[0] == "done":
                        _, problems, traces, seconds, errors = message
                        tally.run += 1
                        tally.by_generator[w.generator] += 1
                        tally.with_errors[w.generator] += bool(errors)
                        tally.slowest = sorted(tally.slowest + [(seconds, w.case.label)], reverse=True)[:5]
                        for problem, trace in zip(problems, traces):
                            record(tally, outdir, Failure(problem.kind, w.generator, w.case, problem, trace, seconds))
                        w.case, w.left = None, w.left - 1
                    elif message[0] == "chunk-error":
                        tally.chunk_errors.append(message[1])
                    elif message[0] == "chunk-end":
                        w.busy, w.left = False, 0
                        if not assign(w):
                            w.conn.send(None)
            except (EOFError, ConnectionError, OSError):   # the worker died under a case
                if w.case is not None:
                    tally.run += 1
                    tally.by_generator[w.generator] += 1
                    code = w.process.exitcode
                    record(tally, outdir, Failure("crash", w.generator, w.case,
                                                  Problem("crash", f"worker process died (exit code {code})"), "",
                                                  time.monotonic() - w.started))
                assign(replace_worker(w))
        now = time.monotonic()
        for w in list(workers):
            if w.busy and w.case is not None and now - w.started > args.timeout:
                tally.run += 1
                tally.by_generator[w.generator] += 1
                record(tally, outdir, Failure("timeout", w.generator, w.case,
                                              Problem("timeout", f"no result after {args.timeout:g} s"), "",
                                              now - w.started))
                assign(replace_worker(w))
        if now - last_report > 30:
            last_report = now
            print(f"... {tally.run}/{args.n} cases, {len(tally.failures)} failures", flush=True)
    for w in workers:
        w.process.join(timeout=5)
        if w.process.is_alive():
            w.process.kill()
    return tally


def reduce_all(tally: Tally, outdir: Path, seconds: float) -> list[dict]:
    from fuzz.reduce import reduce_case, size

    distinct: dict[str, list[Failure]] = {}
    for f in tally.failures:
        distinct.setdefault(f.sig, []).append(f)
    reproducers = []
    for n, (sig, group) in enumerate(sorted(distinct.items()), 1):
        smallest = min(group, key=lambda f: size(f.case))
        if smallest.kind in ("timeout", "crash"):
            case, trace = smallest.case, smallest.trace   # not shrunk: each check may take the full timeout
        else:
            print(f"shrinking {sig} ({size(smallest.case)} chars)", flush=True)
            case = reduce_case(smallest.case, sig, seconds)
            problems = [p for p in run_and_check(case)[0] if p.kind == smallest.kind]
            trace = diagnose(case, problems[0]) if problems else smallest.trace
        entry = {"signature": sig, "kind": smallest.kind, "occurrences": len(group),
                 "generators": dict(Counter(f.generator for f in group)), "detail": smallest.problem.detail,
                 "origin": case.origin, "group": case.group, "traceback": trace,
                 "directory": str(outdir / "minimal" / f"{n:02d}-{smallest.kind}")}
        save_case(Path(entry["directory"]), case, entry)
        reproducers.append(entry)
    return reproducers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many cases to run")
    parser.add_argument("outdir", help="where failing cases are saved")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case")
    parser.add_argument("--generators", default="grammar,node")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--no-reduce", action="store_true")
    parser.add_argument("--reduce-time", type=float, default=180.0, help="seconds to shrink each distinct failure")
    args = parser.parse_args(argv)

    started = time.monotonic()
    tally = campaign(args)
    elapsed = time.monotonic() - started
    kinds = Counter(f.kind for f in tally.failures)
    signatures = Counter(f.sig for f in tally.failures)
    print("\n==== sdblint fuzz campaign")
    print(f"cases run: {tally.run} ({', '.join(f'{g}: {n}' for g, n in sorted(tally.by_generator.items()))})")
    print(f"cases with an unanalysable file: {dict(tally.with_errors)}")
    print(f"failures: {len(tally.failures)} {dict(kinds) or ''}")
    print(f"distinct failures: {len(signatures)}")
    for sig, n in signatures.most_common():
        print(f"  {n:5d}  {sig}")
    print(f"slowest cases: {[(round(s, 2), label) for s, label in tally.slowest]}")
    if tally.chunk_errors:
        print(f"chunks hypothesis gave up on: {len(tally.chunk_errors)}")
    print(f"wall time: {elapsed:.1f} s ({tally.run / max(elapsed, 1e-9):.1f} cases/s)")
    reproducers = [] if args.no_reduce else reduce_all(tally, Path(args.outdir), args.reduce_time)
    for r in reproducers:
        print(f"reproducer for {r['signature']}: {r['directory']}")
    summary = {"cases": tally.run, "by_generator": dict(tally.by_generator), "with_errors": dict(tally.with_errors),
               "failures": dict(kinds), "signatures": dict(signatures), "seconds": round(elapsed, 1),
               "slowest": tally.slowest, "chunk_errors": tally.chunk_errors, "reproducers": reproducers,
               "args": vars(args)}
    (Path(args.outdir) / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
