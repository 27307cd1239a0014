"""Signals and worker processes (issue 21), as the audit found them: a real `sdblint check --jobs 2`
in a process group of its own over a generated tree, stopped by a real signal while it parses;
and a worker killed with `kill -9` in the middle of a run."""
import json
import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
from helpers import OPENAI_SHELL

from sdblint.extract.runner import AHEAD_PER_WORKER, _in_processes

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads the process table from /proc")

# Upper bounds so that a run that does not stop fails instead of hanging; a stopped run ends far sooner.
STOP_BOUND_SECONDS = 10
RUN_BOUND_SECONDS = 600


def tree(root, files: int, functions: int):
    """A project that takes a while to parse: ``files`` modules of ``functions`` small functions each."""
    for i in range(files):
        (root / f"m{i}.py").write_text("".join(f"def f{j}(a, b):\n    return g(a, b) + {j}\n" for j in range(functions)))
    (root / "agent.py").write_text(OPENAI_SHELL)
    return root


def started(root, *extra: str) -> subprocess.Popen:
    """`sdblint check --jobs 2` in a session (and process group) of its own, as a terminal runs it."""
    return subprocess.Popen([sys.executable, "-m", "sdblint", "check", "--jobs", "2", "--no-cache", *extra, str(root)],
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):   # gone meanwhile
                continue
            if parent == pid:
                found.append(int(entry))
    return sorted(found)


def workers_of(proc: subprocess.Popen) -> list[int]:
    """The worker processes, once both are parsing."""
    deadline = time.monotonic() + RUN_BOUND_SECONDS
    while len(children(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before its workers started"
        time.sleep(0.05)
    return children(proc.pid)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"   # a zombie has ended
    except OSError:
        return False


def gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


@pytest.fixture
def cleanup():
    """Kill whatever a failing test left running (the run's process group)."""
    groups = []
    yield groups.append
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_ctrl_c_while_parsing_stops_the_run_and_its_workers(tmp_path, cleanup):
    """Ctrl-C used to go on until every file was parsed, then say "Aborted!" and exit 1."""
    proc = started(tree(tmp_path, 200, 500))
    cleanup(proc.pid)
    workers = workers_of(proc)
    os.killpg(proc.pid, signal.SIGINT)   # what a terminal does on Ctrl-C: the whole foreground group
    _, err = proc.communicate(timeout=STOP_BOUND_SECONDS)
    assert (proc.returncode, err.decode().splitlines()) == (-signal.SIGINT, ["sdblint: stopped by SIGINT"])   # a shell shows 130
    assert gone_within(workers, STOP_BOUND_SECONDS)


def test_sigterm_to_the_main_process_ends_its_workers_too(tmp_path, cleanup):
    """SIGTERM used to end the main process only; its workers ran on forever, reparented to init."""
    proc = started(tree(tmp_path, 200, 500))
    cleanup(proc.pid)
    workers = workers_of(proc)
    proc.send_signal(signal.SIGTERM)   # the main process alone, as a CI runner's timeout does
    _, err = proc.communicate(timeout=STOP_BOUND_SECONDS)
    assert (proc.returncode, err.decode().splitlines()) == (-signal.SIGTERM, ["sdblint: stopped by SIGTERM"])   # a shell shows 143
    assert gone_within(workers, STOP_BOUND_SECONDS)


def test_workers_end_themselves_when_their_parent_is_killed(tmp_path, cleanup):
    """SIGKILL cannot be caught: the workers notice that their parent is gone."""
    proc = started(tree(tmp_path, 200, 500))
    cleanup(proc.pid)
    workers = workers_of(proc)
    proc.kill()
    proc.communicate(timeout=STOP_BOUND_SECONDS)
    assert gone_within(workers, STOP_BOUND_SECONDS)


def test_a_worker_killed_mid_run_costs_no_file(tmp_path, cleanup):
    """After `kill -9` of one worker every remaining file used to get a one-worker pool of its own."""
    proc = started(tree(tmp_path, 80, 60), "--output-format", "json")
    cleanup(proc.pid)
    workers = workers_of(proc)
    os.kill(workers[0], signal.SIGKILL)
    seen = set(workers)
    while proc.poll() is None:   # the processes that did the work (a lower bound: a short one may be missed)
        seen.update(children(proc.pid))
        time.sleep(0.05)
    out, err = proc.communicate(timeout=RUN_BOUND_SECONDS)
    report = json.loads(out)
    assert proc.returncode == 1, err   # agent.py's finding
    assert report["summary"]["files"] == 81 and report["errors"] == []
    assert len(seen) <= 2 + 2 + 2 * AHEAD_PER_WORKER   # the first pool, its replacement, the suspects alone


def kill_own_worker_once(job):
    """Dies as `kill -9` kills (the first time it meets m3.py); says which process did each file."""
    marker = os.environ["SDBLINT_TEST_KILLED_MARKER"]
    if job[0] == "m3.py" and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return pickle.dumps((job[0], os.getpid()))


def test_after_a_worker_dies_the_pool_goes_on_at_full_width(tmp_path, monkeypatch):
    monkeypatch.setenv("SDBLINT_TEST_KILLED_MARKER", str(tmp_path / "killed"))
    work = [(f"m{i}.py", b"x = 1\n", None) for i in range(60)]
    done = {index: pickle.loads(payload) for index, payload in _in_processes(work, 2, task=kill_own_worker_once)}
    assert sorted(done) == list(range(60)) and all(done[i][0] == f"m{i}.py" for i in done)
    # Two pools of two, and the files in flight when the worker died, one process each: not one
    # process for each of the 56 or so files that were left.
    assert len({pid for _, pid in done.values()}) <= 2 + 2 + 2 * AHEAD_PER_WORKER


SWALLOWED = """
import os, signal, sys, time
from sdblint.cli.signals import Interrupted, stop_on_signals
stop_on_signals()

class Finaliser:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)   # the handler runs here; Python reports and drops what it raises
        time.sleep(0.05)

try:
    Finaliser()
    print("dropped", flush=True)
    while True:
        time.sleep(0.05)   # the run goes on
except Interrupted as exc:
    print("raised again:", exc, flush=True)
    sys.exit(3)
"""


def test_a_stop_signal_dropped_where_nothing_catches_it_is_raised_again():
    """A SIGTERM that arrived while a fork handler released logging's lock was reported as "Exception
    ignored" and dropped: the run went on with stop signals ignored and never ended."""
    proc = subprocess.run([sys.executable, "-c", SWALLOWED], capture_output=True, timeout=STOP_BOUND_SECONDS, check=False)
    assert "Exception ignored" in proc.stderr.decode()
    assert (proc.returncode, proc.stdout.decode().splitlines()) == (3, ["dropped", "raised again: SIGTERM"])
