"""SIGTERM and SIGHUP as Ctrl-C: stop where the program is, and clean up on the way out.

By default SIGTERM (``kill``, a service manager stopping a job) and SIGHUP (the terminal
closed) end a Python process at once: no ``finally`` runs, so the report instances of
a run stay on the server and the session stays logged in.  Ctrl-C raises
``KeyboardInterrupt`` instead, and every ``with`` block on the way out deletes its
instance and logs out.  :func:`signals_as_interrupts` makes the other two signals do the
same, by raising :class:`Terminated` (a ``KeyboardInterrupt``) in the main thread.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Terminated", "signals_as_interrupts"]

CAUGHT = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
"""The signals turned into :class:`Terminated` (Windows has no SIGHUP)."""


class Terminated(KeyboardInterrupt):
    """A signal stopped the program; ``signum`` is its number, ``message`` what was kept.

    A ``KeyboardInterrupt``, so that everything that cleans up after Ctrl-C cleans up
    after it too.  ``message`` (or None) tells the user what the program left behind on
    purpose, such as a run that goes on on the server.

    >>> import signal
    >>> Terminated(signal.SIGTERM).signum == signal.SIGTERM
    True
    """

    def __init__(self, signum: int = signal.SIGINT, message: str | None = None) -> None:
        super().__init__(signum)
        self.signum = signum
        self.message = message


@contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread.

    Only signals left to their default action are taken (a handler the application
    installed, or ``nohup``'s ignored SIGHUP, stays as it is), and only from the main
    thread, the one Python delivers signals to; elsewhere this does nothing.  Once one
    signal has arrived, further SIGTERMs and SIGHUPs are ignored until the block ends,
    so that they cannot cut the cleanup short (Ctrl-C still can).  The previous
    handlers come back at the end.

    >>> with signals_as_interrupts():
    ...     pass
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    active, fired = [True], [False]

    def handler(signum: int, frame: FrameType | None) -> None:
        if not active[0]:
            # The block ended on another thread (a generator closed by the garbage
            # collector there), which could not put the old handler back: do it now,
            # and let the signal do what it would have done.
            signal.signal(signum, previous.get(signum, signal.SIG_DFL))
            signal.raise_signal(signum)
            return
        if fired[0]:
            return  # the cleanup of the first one is under way: let it finish
        fired[0] = True
        raise Terminated(signum)

    try:
        for signum in CAUGHT:
            if signal.getsignal(signum) is signal.SIG_DFL:
                previous[signum] = signal.signal(signum, handler)
        yield
    finally:
        active[0] = False
        if threading.current_thread() is threading.main_thread():
            for signum, old in previous.items():
                signal.signal(signum, old)
