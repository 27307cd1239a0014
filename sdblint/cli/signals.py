"""Ctrl-C and SIGTERM stop a run now, not after the work in hand: the signal becomes an
exception that unwinds the run (ending its worker processes on the way, see
``extract/runner.py``), and the process then dies of the same signal, so a shell reports
130 or 143 and a script that runs sdblint in a loop stops too."""
from __future__ import annotations

import os
import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so that nothing that
    contains ordinary failures (an internal error's exit 2, one unit's SDB999) takes it for one;
    and not KeyboardInterrupt, which click turns into "Aborted!" and exit 1."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    main = os.getpid()

    def interrupt(signum: int, frame) -> None:
        if os.getpid() != main:
            # A worker forked with this handler, before it set its own (Ctrl-C reaches the whole
            # process group): as a worker, it leaves Ctrl-C to the main process and dies of SIGTERM.
            if signum != signal.SIGINT:
                die_of(signum)
            return
        # A second Ctrl-C must not cut short the cleanup of the first one (workers left running).
        for other in STOP_SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        raise Interrupted(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, interrupt)


def die_of(signum: int) -> None:
    """End the process by ``signum`` itself, as the convention for a stopped program asks."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
