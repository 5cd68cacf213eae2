"""``python -m mstr_prompts`` and the ``mstr-prompts`` console script run the command line.

:func:`main` is :func:`mstr_prompts.cli.main` for a process of its own: the modules a
command needs load with the garbage collector paused, and what they made is then frozen
(:func:`gc.freeze`), so no later collection goes over it again.  Loading pydantic and the
CLI makes tens of thousands of objects that live as long as the process: the collections
that ran while they loaded, and the one at exit that went over all of them again, cost a
one-file ``convert`` about 10 ms (a sixth of its start-up).  The collector runs as usual
for the objects the command then makes, so the memory bound of a large input holds.
Programs that call :func:`mstr_prompts.cli.main` in their own process are left alone.
"""

from __future__ import annotations

import gc


def main() -> int:
    """Run the command line (``sys.argv``) and return its exit status.

    >>> import subprocess, sys
    >>> done = subprocess.run([sys.executable, "-m", "mstr_prompts", "schema", "rest"],
    ...                       capture_output=True, text=True, check=True)
    >>> done.stdout.startswith("{")
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        # Ctrl-C while the modules load, before cli.main's handler exists: its status
        # for SIGINT, without a traceback.
        return 130
    finally:
        if enabled:
            gc.freeze()  # modules, classes, schemas: they live until the process ends
            gc.enable()
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
