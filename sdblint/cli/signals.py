"""Ctrl-C and SIGTERM stop a run now, not after the work in hand: the signal becomes an
exception that unwinds the run (ending its worker processes on the way, see
``extract/runner.py``), and the process then dies of the same signal, so a shell reports
130 or 143 and a script that runs sdblint in a loop stops too."""
from __future__ import annotations

import _thread
import os
import signal
import threading
import time

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long the unwinding after a stop signal may take before the signal is raised again.
STOP_GRACE_SECONDS = 4.0


class Interrupted(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so that nothing that
    contains ordinary failures (an internal error's exit 2, one unit's SDB999) takes it for one;
    and not KeyboardInterrupt, which click turns into "Aborted!" and exit 1."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    main = os.getpid()
    stopping = threading.Event()   # the first stop signal was raised as Interrupted
    again = threading.Event()      # ... and the run is still going after the grace period

    def interrupt(signum: int, frame) -> None:
        if os.getpid() != main:
            # A worker forked with this handler, before it set its own (Ctrl-C reaches the whole
            # process group): as a worker, it leaves Ctrl-C to the main process and dies of SIGTERM.
            if signum != signal.SIGINT:
                die_of(signum)
            return
        if stopping.is_set() and not again.is_set():
            return   # a second Ctrl-C must not cut short the cleanup of the first one (workers left running)
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=insist, args=(signum,), daemon=True).start()
        raise Interrupted(signum)

    def insist(signum: int) -> None:
        # Python reports and drops an exception raised where nothing can catch it (a fork handler
        # releasing logging's lock, a finaliser): then the run goes on. Past a grace period the
        # signal is raised again, and past a second one the process exits with the signal's status.
        time.sleep(STOP_GRACE_SECONDS)
        again.set()
        _thread.interrupt_main(signum)
        time.sleep(STOP_GRACE_SECONDS)
        os._exit(128 + signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, interrupt)


def die_of(signum: int) -> None:
    """End the process by ``signum`` itself, as the convention for a stopped program asks."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
