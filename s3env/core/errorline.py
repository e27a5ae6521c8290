"""The one way every entry point turns a failure into a line on stderr and an exit status.

No typer here: the fast paths (env, exec, shell-init, credential-process, the shim) use it
directly; ``cli.run`` uses it too, after mapping typer's own usage errors.
"""

from __future__ import annotations

import os
import sys

from s3env.core.errors import EXIT_FAILURE, S3envError

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Callable


def debug_enabled() -> bool:
    return os.environ.get("S3ENV_DEBUG", "") not in ("", "0")


def print_error(message: str) -> None:
    first = message.strip().splitlines()[0] if message.strip() else "error"
    print(f"s3env: error: {first}", file=sys.stderr)


def print_traceback(exc: BaseException) -> None:
    """The traceback ``S3ENV_DEBUG=1`` shows: every frame, and the text of s3env's own errors,
    which name keys and files only.  Other exceptions' texts may quote a value (configparser
    quotes the line it refused, botocore a header): only their type is shown."""
    import traceback

    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    for index, item in enumerate(reversed(chain)):
        if index:
            print("\nThe above exception led to the one below:\n", file=sys.stderr)
        print("Traceback (most recent call last):", file=sys.stderr)
        print("".join(traceback.format_tb(item.__traceback__)), end="", file=sys.stderr)
        text = item.message if isinstance(item, S3envError) else "(text not shown: it may hold a value)"
        print(f"{type(item).__module__}.{type(item).__qualname__}: {text}", file=sys.stderr)


def exit_status_for(exc: BaseException) -> int:
    """Print ``exc`` as one line (a traceback only with S3ENV_DEBUG=1) and give its status."""
    if debug_enabled():
        print_traceback(exc)
    if isinstance(exc, S3envError):
        print_error(exc.message)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        print("s3env: interrupted", file=sys.stderr)
        return 130
    if isinstance(exc, OSError) and exc.strerror:
        print_error(f"{exc.strerror}{': ' + str(exc.filename) if exc.filename else ''}")
        return EXIT_FAILURE
    # Unknown exceptions may carry values (even secrets) in their text: show the type only.
    print_error(f"unexpected {type(exc).__name__} (run with S3ENV_DEBUG=1 for details)")
    return EXIT_FAILURE


def run_guarded(body: Callable[[list[str]], int], args: list[str]) -> int:
    try:
        return body(args)
    except (Exception, KeyboardInterrupt) as exc:
        return exit_status_for(exc)
