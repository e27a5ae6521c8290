"""What every boto3-backend command gets: the client, the output streams, the options."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any

from s3env.shim.base import ShimRequest
from s3env.shim.boto3.cancel import Cancellation, Cancelled
from s3env.shim.boto3.progress import NO_PROGRESS, TransferProgress, is_terminal

# aws-sdk-go, which s5cmd uses, asks for 100-continue only on PUTs of 2 MiB and more.
EXPECT_CONTINUE_FROM = 2 * 1024 * 1024
# Retries after a failed request without --retry-count: fewer than s5cmd's 10, whose back-off
# takes ~45 s before a dead endpoint is reported.
DEFAULT_RETRIES = 5


def expect_continue_above_2mib(model: Any, params: dict[str, Any], **_kwargs: Any) -> None:
    """botocore's ``add_expect_header`` asks for ``Expect: 100-continue`` on every file body, so
    each small PUT waits a round trip for "100 Continue" before sending 4 KiB.  As aws-sdk-go:
    only a body of 2 MiB or more (or of unknown length) waits for the server's go-ahead."""
    if model.http.get("method", "") not in ("PUT", "POST"):
        return
    body = params.get("body")
    if not hasattr(body, "read"):
        return
    from botocore.utils import determine_content_length

    length = determine_content_length(body)
    if length is None or length >= EXPECT_CONTINUE_FROM:
        params["headers"]["Expect"] = "100-continue"


def content_md5_not_crc32(params: dict[str, Any], **_kwargs: Any) -> None:
    """DeleteObjects must carry an integrity header.  botocore 1.36+ sends a CRC32 one, s5cmd's
    SDK ``Content-MD5``, and stores older than S3's flexible checksums (older MinIO and Ceph,
    Dell ECS, PowerScale …) refuse the request without it ("MissingContentMD5")."""
    body = params.get("body")
    if not isinstance(body, bytes | bytearray):
        return
    import base64
    import hashlib

    checksum = params.get("context", {}).get("checksum", {})
    checksum.pop("request_algorithm", None)  # botocore's CRC32, applied after this event
    checksum.pop("request_algorithm_header", None)
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    params["headers"]["Content-MD5"] = base64.b64encode(digest).decode("ascii")


def s3_timestamp(value: Any) -> Any:
    """botocore's timestamp parser, with a short way for the ISO 8601 UTC form of S3's XML
    (``2026-12-06T03:04:00.000Z``): botocore hands every one to dateutil, which took a fifth
    of a 1000-object download's CPU time (its listing's LastModified).  The same instant,
    timezone-aware UTC; anything else (a HEAD's RFC 1123 date) goes to botocore's parser."""
    if isinstance(value, str) and value.endswith("Z") and value[10:11] == "T":
        import datetime as dt

        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


#: botocore's own (Python) SigV4 signer, under a name of s3env's: see ``python_signer``
PYTHON_S3V4 = "s3env-python-s3v4"


def python_signer(context: Any = None, signing_name: Any = None, **kwargs: Any) -> Any:
    """A ``choose-signer`` handler: botocore's Python SigV4 signer, not the CRT's.

    Where awscrt is installed (it is a dependency: the CRT engine), botocore signs with the
    CRT, which reads a request body through a native stream: an exception raised while it
    reads (``Cancelled`` at an interrupt, a file that shrank) is printed as a traceback and
    comes back as ``AWS_ERROR_UNKNOWN``.  The Python signer lets it through as it is.
    botocore's own handler decides as always; only its ``s3v4`` is swapped (a presigned
    URL's ``-query`` suffix is added to the name after this)."""
    import botocore.auth
    from botocore.handlers import set_operation_specific_signer

    chosen = set_operation_specific_signer(context=context or {}, signing_name=signing_name, **kwargs)
    if chosen != "s3v4":
        return None  # botocore's handler, next, says the same
    maps = botocore.auth.AUTH_TYPE_MAPS
    if PYTHON_S3V4 not in maps:  # additive: botocore's own names keep their classes
        maps[PYTHON_S3V4] = botocore.auth.S3SigV4Auth
        maps[PYTHON_S3V4 + "-query"] = botocore.auth.S3SigV4QueryAuth
    return PYTHON_S3V4


def _transfer_signal(on: bool) -> Any:
    """A ``request-created`` handler that turns a body's progress counting off while botocore
    signs it (which may read it whole) and on again before it is sent, as s3transfer does."""

    def handler(request: Any, **_kwargs: Any) -> None:
        method = getattr(request.body, "signal_transferring" if on else "signal_not_transferring", None)
        if callable(method):
            method()

    return handler


@contextlib.contextmanager
def cyclic_gc_paused(freeze: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector off while the client is made.  Importing botocore,
    loading its models (models.py) and building the client make some 70,000 tracked objects, none
    of them garbage; the collector, started every 700 allocations, walks them again and again
    (~30 ms of a ~200 ms ``ls``: docs/performance.md).  Reference counting frees as usual
    meanwhile; the collector resumes afterwards, unless it was off already.

    ``freeze`` (the CLI's process, which ends with the command): the objects made so far go to
    the collector's permanent generation (``gc.freeze``), so that the collections of the rest
    of the command do not walk them either.  Not in a library caller's process, where it would
    keep that program's own cyclic garbage of the moment alive for good."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        gc.enable()


class Context:
    def __init__(self, request: ShimRequest) -> None:
        self.request = request
        self.profile = request.profile
        self.json = request.json
        self.dry_run = request.dry_run
        # s5cmd defaults to 256 workers; a Python thread pool gains nothing past a few dozen.
        self.numworkers = max(1, min(request.numworkers or 32, 64))
        self.retry_count = DEFAULT_RETRIES if request.retry_count is None else request.retry_count
        self.stdout: IO[bytes] = request.stdout or sys.stdout.buffer
        self.stderr: IO[bytes] = request.stderr or sys.stderr.buffer
        self.reader_went_away = False  # stdout's reader closed it (`| head`): see reader_gone
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._engine_lock = threading.Lock()
        self._loader: Any = None
        self.progress: TransferProgress = NO_PROGRESS  # cp/mv/sync set a real one on a terminal
        #: set when the command is interrupted (cancel.py): workers stop, nothing is printed
        self.cancellation = Cancellation()
        #: held while a line is written, so that nothing is printed once the signal is seen
        self.output_lock = threading.Lock()
        self.pools: list[Any] = []  # pool.Pool registers itself: interrupt() waits for them
        self.env: dict[str, str] = dict(request.base_env) if request.base_env else dict(os.environ)
        from s3env.shim.boto3.engine import wanted_engine

        wanted_engine(self.env)  # a bad S3ENV_ENGINE fails the command before anything is done
        self._engine: Any = None

    @property
    def client(self) -> Any:
        """A botocore S3 client for the profile, made on first use.

        botocore directly, not ``boto3.Session``: importing boto3 also imports s3transfer and
        multiprocessing, which nothing here needs (uploads: multipart.py).
        """
        if self._client is not None:
            return self._client
        with self._client_lock:  # the workers of a pool may ask at once
            if self._client is None:
                with cyclic_gc_paused(freeze=self.request.replace_process):
                    self._client = self._new_client()
        return self._client

    @property
    def engine(self) -> Any:
        """The transfer engine (engine/): the CRT's or botocore's, made on first use."""
        if self._engine is not None:
            return self._engine
        with self._engine_lock:
            if self._engine is None:
                from s3env.shim.boto3.engine import make_engine

                self._engine = make_engine(self)
        return self._engine

    def _new_client(self) -> Any:
        import botocore.session
        from botocore.config import Config
        from botocore.configprovider import ConstantProvider
        from botocore.handlers import add_expect_header

        from s3env.shim.boto3.errors import tag_failed_request
        from s3env.shim.boto3.models import save_loader

        core = botocore.session.get_session()
        core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=s3_timestamp)
        # AWS_PROFILE in the environment must not pull in another profile's settings.
        core.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
        s3: dict[str, str] = {}
        if self.profile.addressing_style != "auto":
            s3["addressing_style"] = self.profile.addressing_style
        config = Config(
            s3=s3 or None,
            ignore_configured_endpoint_urls=True,
            # s5cmd's --retry-count N: N retries after the first attempt (a Config's
            # max_attempts counts the retries, not the first attempt).
            retries={"mode": "standard", "max_attempts": self.retry_count},
            max_pool_connections=self.numworkers,
            connect_timeout=10,
            read_timeout=60,
            # As s5cmd: no response checksums (ranged parts carry none; validating a whole
            # object in Python halves download speed).  Sizes are still checked.
            response_checksum_validation="when_required",
            # s5cmd sends no checksums on uploads either (many S3-compatible stores refuse
            # boto3's default CRC32 since 1.36; see model.checksum_settings).
            request_checksum_calculation="when_required",
            # Not botocore's (Python's) reading of the proxy variables: Go's rules, for the
            # endpoint here, per request below (proxy.py).
            proxies=self._endpoint_proxies(),
        )
        # botocore's parsed data files from s3env's cache: ~100 ms less per command
        # (models.py).  A cache that still breaks the client is dropped and rebuilt.
        try:
            client = self._make_client(core, config, trust_cache=True)
        except Exception:
            if not getattr(self._loader, "cache_path", None):
                raise
            client = self._make_client(core, config, trust_cache=False)
        events = client.meta.events
        events.unregister("before-call.s3", add_expect_header)
        events.register("before-call.s3", expect_continue_above_2mib)
        events.register("before-call.s3.DeleteObjects", content_md5_not_crc32)
        events.register("before-send.s3", self._before_send)
        events.register_first("choose-signer.s3", python_signer)
        events.register("needs-retry.s3", tag_failed_request)  # which request failed (errors.py)
        events.register_first("request-created.s3", _transfer_signal(False))
        events.register_last("request-created.s3", _transfer_signal(True))
        self._use_go_proxy_rules(client)
        save_loader(self._loader)
        return client

    def _make_client(self, core: Any, config: Any, trust_cache: bool) -> Any:
        from s3env.shim.boto3.models import make_loader

        self._loader = make_loader(core.get_config_variable("data_path"), self.env, trust_cache=trust_cache)
        core.register_component("data_loader", self._loader)
        return core.create_client(
            "s3",
            region_name=self.profile.region or "us-east-1",
            endpoint_url=self.profile.endpoint_url,
            aws_access_key_id=self.profile.access_key_id,
            aws_secret_access_key=self.profile.secret_access_key,
            aws_session_token=self.profile.session_token,
            config=config,
        )

    def _endpoint_proxies(self) -> dict[str, str]:
        """Go's choice for the endpoint's host, as botocore's ``proxies`` (``{}``: direct)."""
        from s3env.shim.boto3.proxy import ProxyRefusedError, proxy_for

        url = self.profile.endpoint_url or f"https://s3.{self.profile.region or 'us-east-1'}.amazonaws.com"
        try:
            proxy = proxy_for(url, self.env)
        except ProxyRefusedError:
            return {}  # _before_send refuses the request, as Go does
        return {url.partition(":")[0].lower(): proxy} if proxy else {}

    def _use_go_proxy_rules(self, client: Any) -> None:
        """botocore asks its session's proxy configuration for every request: answer with Go's
        rules (proxy.py), host by host (a virtual-hosted bucket's name is part of it).  Were
        botocore's layout ever different, ``_endpoint_proxies`` still decides for the endpoint."""
        from s3env.shim.boto3.proxy import go_proxy_configuration

        session = getattr(getattr(client, "_endpoint", None), "http_session", None)
        if session is not None and hasattr(session, "_proxy_config"):
            session._proxy_config = go_proxy_configuration(session._proxy_config, self.env)

    def _before_send(self, request: Any, event_name: str = "", **_kwargs: Any) -> None:
        """Last word before a request leaves: none after an interrupt but the aborts of
        multipart uploads; and Go's CGI rule on ``HTTP_PROXY`` (an error, not retried).  The
        request is noted, for the error that names it should it fail (errors.py)."""
        if self.cancellation.cancelled and not event_name.endswith(".AbortMultipartUpload"):
            raise Cancelled
        from s3env.shim.boto3.errors import go_url, note_request
        from s3env.shim.boto3.proxy import ProxyRefusedError, proxy_for

        note_request(request)

        try:
            proxy_for(request.url, self.env)
        except ProxyRefusedError as exc:
            raise ProxyRefusedError(
                f"RequestError: send request failed caused by: {request.method.title()} "
                f"{go_url(request.url)}: {exc}"
            ) from None

    def interrupt(self) -> None:
        """The command was interrupted (cancel.py): stop every worker, print nothing more,
        give the workers ``GRACE`` to stop and clean up, then remove the temporary files and
        abort the multipart uploads they left."""
        import time

        from s3env.shim.boto3.cancel import GRACE, clean_up

        self.cancellation.cancel()
        if self.output_lock.acquire(timeout=GRACE):  # a line being written is finished
            self.output_lock.release()
        self.progress.close()  # the bar is erased, not left half-drawn
        deadline = time.monotonic() + GRACE
        if self._engine is not None:
            self._engine.interrupt()  # requests in native code stop too
        for pool in list(self.pools):
            pool.abandon()
        for pool in list(self.pools):
            pool.wait_idle(deadline)
        engine = self._engine

        def abort(bucket: str, key: str, upload_id: str) -> None:
            if engine is not None:  # (only a transfer, which has made the engine, makes uploads)
                engine.abort_upload(bucket, key, upload_id)

        clean_up(self.cancellation, abort)

    def close(self) -> None:
        """End of the command: keep what the data loader parsed since the client was made
        (the paginator model of a listing, say) for the next command."""
        if self._engine is not None:
            self._engine.close()
        if self._loader is not None:
            from s3env.shim.boto3.models import save_loader

            save_loader(self._loader)

    def reader_gone(self) -> None:
        """stdout's reader closed the pipe: write nothing more there (it goes to /dev/null),
        and let the CLI's process end as s5cmd's does, killed by SIGPIPE (Boto3Backend.run)."""
        import contextlib
        import os

        self.reader_went_away = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stdout.fileno())

    def start_progress(self, keep: bool = False) -> TransferProgress:
        """The progress bar of one transfer command (``with ctx.start_progress():``), on stderr
        as s5cmd's: live when stderr is a terminal, a no-op on a pipe or with --json.
        ``keep`` (``--show-progress``): shown at once, its final state left on screen."""
        enabled = not self.json and is_terminal(self.stderr)
        self.progress = TransferProgress(
            enabled, self.stderr, self.output_lock, delay=0.0 if keep else None, keep=keep
        )
        return self.progress

    def out(self, line: str) -> None:
        """One line on stdout (printer.py formats it)."""
        self.stdout.write(line.encode("utf-8") + b"\n")
        self.stdout.flush()
