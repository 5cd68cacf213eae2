"""Run the reference server in the foreground: ``python -m mstr_prompts.testing``.

It prints one line, the webapp URL, the project and the credentials, and serves until
Ctrl-C or SIGTERM, then stops cleanly (status 0)::

    $ python -m mstr_prompts.testing --port 8080
    http://127.0.0.1:8080/MicroStrategyLibrary project=B19DEDCC11D4E0EFC000EB9495D0F44F username=user password=password

``--tls`` serves https and adds ``ca_file=PATH`` (the CA to trust) to the line; a
second line is never printed, so a script can read the first and go.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .server import ReferenceServer

__all__ = ["main"]

_RECORDED = 1000
"""How many of the latest requests a server run from the shell keeps."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mstr_prompts.testing",
        description="Serve the offline MicroStrategy reference server until Ctrl-C or SIGTERM.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument("--tls", action="store_true", help="serve https with a test certificate")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; the exit status (0 on a clean stop, 2 on bad arguments).

    >>> main(["--port", "70000"])
    2
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not 0 <= args.port <= 65535:
        print("python -m mstr_prompts.testing: --port must be 0-65535", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Both signals only set the event, whenever they come, so the server always stops
    # through the same clean path (a KeyboardInterrupt could land anywhere).  They are
    # caught before the server starts: a Ctrl-C while the test certificate is being
    # made stops it as cleanly as one a minute later.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    # Nobody reads server.requests here: keep only the latest, so memory stays bounded.
    server = ReferenceServer(tls=args.tls, port=args.port, max_recorded=_RECORDED)
    try:
        try:
            server.start()
        except OSError as exc:
            print(f"python -m mstr_prompts.testing: cannot listen: {exc.strerror}", file=sys.stderr)
            return 1
        user, password = next(iter(server.users.items()), ("", ""))
        line = f"{server.url} project={server.project_id} username={user} password={password}"
        if args.tls:
            line += f" ca_file={server.ca_file}"
        print(line, flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
