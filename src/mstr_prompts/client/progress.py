"""What a command line shows while it waits for a run: state and elapsed time, on a terminal only.

A wait shorter than a second shows nothing; a longer one rewrites one status line on
the terminal (``running (IN_SQL_ENGINE), 4 s``) and erases it when the wait ends.
When the stream is not a terminal (a pipe, a file, a log), nothing is written at all,
so scripts see exactly the result and the errors.
"""

from __future__ import annotations

from typing import IO

from .polling import RunStatus

__all__ = ["TerminalProgress"]


class TerminalProgress:
    """A :data:`~mstr_prompts.client.runs.Progress` callback that draws on a terminal.

    ``tty`` overrides the stream's own ``isatty()`` (tests use it).

    >>> import io
    >>> out = io.StringIO()
    >>> show = TerminalProgress(out, tty=True)
    >>> show(RunStatus(5), 0.2); show(RunStatus(6), 2.4); show.done()
    >>> out.getvalue()
    '\\rrunning (IN_QUERY_ENGINE), 2 s\\r                              \\r'
    >>> quiet = io.StringIO(); TerminalProgress(quiet)(RunStatus(6), 9.0); quiet.getvalue()
    ''
    """

    def __init__(self, stream: IO[str], *, after: float = 1.0, tty: bool | None = None) -> None:
        self.stream = stream
        self.after = after
        if tty is None:
            isatty = getattr(stream, "isatty", None)
            try:
                tty = bool(isatty()) if callable(isatty) else False
            except ValueError:  # a closed stream
                tty = False
        self.tty = tty
        self._width = 0

    def __call__(self, status: RunStatus, waited: float) -> None:
        if not self.tty or waited < self.after:
            return
        text = f"{status}, {waited:.0f} s"
        pad = " " * max(self._width - len(text), 0)
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._width = max(self._width, len(text))

    def done(self) -> None:
        """Erase the status line, if one was drawn."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
