"""A TLS check beside the CRT engine's first requests, so that a refused certificate fails in
a moment, as on the botocore engine and in s5cmd.

The CRT's TLS (s2n) delays the failure of a handshake by 10-30 s ("blinding", against timing
attacks) and its client retries it: an https endpoint with a self-signed certificate took over
two minutes to report.  So, for an https endpoint, one handshake is made here at once, on a
thread, with the verification the CRT applies (the system's roots, or ``AWS_CA_BUNDLE``); if it
fails, the engine stops its requests and each reports this failure in Go's words (netcause).
A handshake that works costs a connection on the side, nothing on the command's path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class TlsWatch:
    """One handshake with ``url``'s server; ``cause`` is Go's text once it has failed."""

    def __init__(self, url: str, cafile: str | None, on_refused: Callable[[], None]) -> None:
        self.url = url
        self.cafile = cafile
        self.cause: str | None = None
        self._on_refused = on_refused
        self._thread = threading.Thread(target=self._check, name="s3env-tls-check", daemon=True)
        self._thread.start()

    def _check(self) -> None:
        import ssl

        from s3env.shim.boto3.netcause import handshake_failure

        context = ssl.create_default_context(cafile=self.cafile)
        cause = handshake_failure(self.url, context)
        if cause is not None:
            self.cause = cause
            self._on_refused()
