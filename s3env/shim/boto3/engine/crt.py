"""The CRT engine: awscrt's S3 client signs and sends every request of a transfer in native
threads, so hundreds are in flight while Python only prepares them and takes their results.

One ``awscrt.s3.S3Client`` per command, made from the same resolved profile as the botocore
client (endpoint, region, keys, addressing style), with s5cmd's request heads (no checksums,
``Expect: 100-continue`` from 2 MiB).  ``request`` is the one primitive: it builds the HTTP
request for a bucket and key (crt_address.py), registers it so that an interrupt cancels it,
and returns a future whose failure is already in the words of errors.py (crt_errors.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, InvalidStateError
from typing import Any

from s3env.shim.boto3.engine.base import ByteCounter, CommandContext, Engine, Transfer

MIB = 1024 * 1024


class Response:
    """What came back for one request: status, headers (names lower-cased), the body when it
    was collected (no ``on_body`` and no file)."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = bytearray()


#: the requests a command makes before the CRT's threads keep their Python thread state
KEEP_THREAD_STATE_FROM = 16
#: the CRT threads that keep their Python thread state (``keep_thread_state``)
_threads_kept: set[int] = set()


def keep_thread_state() -> None:
    """Called on a CRT thread: that thread keeps its Python thread state from now on.

    awscrt enters Python from its event-loop threads with ``PyGILState_Ensure`` and leaves
    with ``PyGILState_Release``; on a thread Python did not start, each pair made and freed a
    whole thread state (and its frame stack: an mmap, page faults and a munmap), three or
    four times a request.  One more ``Ensure``, never released, keeps the state alive, so
    the next calls only take the GIL.  (A thread state per CRT thread, until the process
    ends.)"""
    ident = threading.get_ident()
    if ident in _threads_kept:
        return
    _threads_kept.add(ident)
    import ctypes  # (3 ms: the engine calls this once it has made many requests)

    ctypes.pythonapi.PyGILState_Ensure()


class CrtEngine(Engine):
    name = "crt"
    inline_tasks = True

    def __init__(self, ctx: CommandContext) -> None:
        self.ctx = ctx
        self.profile = ctx.profile
        self.region = ctx.profile.region or "us-east-1"
        #: every request not finished, by its outcome: the CRT's request, method, URL, and
        #: whether an interrupt cancels it (an abort it left does not)
        self._requests: dict[Future[Any], tuple[Any, str, str, bool]] = {}
        self._lock = threading.Lock()
        self._fallback: Engine | None = None
        self._made = 0  # requests made
        self._addresses: dict[str, Any] = {}  # bucket -> crt_address.BucketAddress
        #: raised by every request when the profile has no keys and nothing else gives any
        self.missing_credentials: Exception | None = None
        self.client = self._make_client()
        self._tls = self._watch_tls()
        from s3env.shim.boto3.engine.crt_upload import BODY_BUDGET, BodyBudget

        #: small request bodies held in memory at once (crt_upload.py)
        self.body_budget = BodyBudget(BODY_BUDGET)

    def pool_shape(self, numworkers: int | None) -> tuple[int, int]:
        # Requests wait in native code, not on a thread: s5cmd's 256 in flight by default,
        # driven by the command's thread (inline_tasks); the threads are for what blocks
        # (pool.blocking: a botocore call or transfer).
        return 8, max(1, numworkers or 256)

    # -- the client ---------------------------------------------------------------------------

    def _make_client(self) -> Any:
        from awscrt import io, s3

        event_loops = io.EventLoopGroup()
        bootstrap = io.ClientBootstrap(event_loops, io.DefaultHostResolver(event_loops))
        signing = s3.create_default_s3_signing_config(
            region=self.region, credential_provider=self._credentials_provider()
        )
        tls = self._https_url() is not None
        tls_options = None
        if tls and self._ca_bundle():
            options = io.TlsContextOptions()
            options.override_default_trust_store_from_path(None, self._ca_bundle())
            tls_options = io.ClientTlsContext(options).new_connection_options()
        return s3.S3Client(
            bootstrap=bootstrap,
            region=self.region,
            signing_config=signing,
            tls_mode=s3.S3RequestTlsMode.ENABLED if tls else s3.S3RequestTlsMode.DISABLED,
            tls_connection_options=tls_options,
            part_size=8 * MIB,
            throughput_target_gbps=10.0,
            retry_config=s3.S3RetryConfig(max_retries=self.ctx.retry_count),
            connect_timeout_ms=10_000,
        )

    def _https_url(self) -> str | None:
        """The endpoint, when it is reached over TLS."""
        url = self.profile.endpoint_url or f"https://s3.{self.region}.amazonaws.com"
        return url if url.lower().startswith("https:") else None

    def _ca_bundle(self) -> str | None:
        """The roots that verify the endpoint, as botocore takes them: ``AWS_CA_BUNDLE``."""
        return self.ctx.env.get("AWS_CA_BUNDLE") or None

    def _watch_tls(self) -> Any:
        """An https endpoint: a handshake beside the first requests (crt_tls.py)."""
        url = self._https_url()
        if url is None:
            return None
        from s3env.shim.boto3.engine.crt_tls import TlsWatch

        return TlsWatch(url, self._ca_bundle(), self._tls_refused)

    def _tls_refused(self) -> None:
        """The endpoint's TLS failed: every request in flight reports it now (the CRT ends a
        request stuck in a delayed handshake only when the delay is over) and is cancelled."""
        with self._lock:
            in_flight = dict(self._requests)
        for outcome, (crt_request, method, url, _cancellable) in in_flight.items():
            refused = self._tls_failure(method, url)
            if refused is not None:
                with contextlib.suppress(InvalidStateError):  # (it ended meanwhile)
                    outcome.set_exception(refused)
            crt_request.cancel()

    def _tls_failure(self, method: str, url: str) -> Exception | None:
        cause = self._tls.cause if self._tls is not None else None
        if cause is None or self.ctx.cancellation.cancelled:
            return None
        from s3env.shim.boto3.errors import TransportFailure

        return TransportFailure(method, url, cause)

    def _credentials_provider(self) -> Any:
        from awscrt import auth

        profile = self.profile
        if profile.access_key_id and profile.secret_access_key:
            return auth.AwsCredentialsProvider.new_static(
                profile.access_key_id, profile.secret_access_key, profile.session_token
            )
        # No keys in the profile: the botocore client's own resolution (credential_process,
        # SSO...), asked again whenever the CRT needs them.
        resolved = self.ctx.client._request_signer._credentials
        if resolved is None:
            # None anywhere: every request fails as the botocore engine's do ("Unable to
            # locate credentials"), not in the delegate (awscrt prints its traceback).
            from botocore.exceptions import NoCredentialsError

            self.missing_credentials = NoCredentialsError()
            return auth.AwsCredentialsProvider.new_static("none", "none")

        def current() -> Any:
            credentials = resolved.get_frozen_credentials()
            return auth.AwsCredentials(credentials.access_key, credentials.secret_key, credentials.token)

        return auth.AwsCredentialsProvider.new_delegate(current)

    # -- the one primitive --------------------------------------------------------------------

    def request(
        self,
        method: str,
        bucket: str,
        key: str,
        *,
        operation: str,
        query: str = "",
        headers: Sequence[tuple[str, str]] = (),
        body: Any = None,
        meta_type: Any = None,
        recv_filepath: str | None = None,
        send_filepath: str | None = None,
        on_body: Callable[..., None] | None = None,
        on_progress: ByteCounter | None = None,
        after_interrupt: bool = False,
        on_response_headers: Callable[[Response], None] | None = None,
        body_failure: Callable[[BaseException], BaseException | None] | None = None,
        **options: Any,
    ) -> Future[Response]:
        """Send one request (``meta_type``: awscrt's S3RequestType, DEFAULT unless given) and
        return the future of its ``Response``.  Its failure is errors.py's (crt_errors).
        ``on_response_headers`` is told of the ``Response`` as soon as its headers came (an
        error's too).  ``body_failure`` turns the CRT's failure into the body's own, when the
        body knows why it failed (a file that shrank), or None.  Once the command is
        interrupted only an ``after_interrupt`` request (an abort) goes."""
        from awscrt import http, s3

        from s3env.shim.boto3.engine.crt_errors import needs_network, translate

        target = self._target(bucket, key)
        path = target.path_and_query(f"?{query}" if query else "")
        url = target.url(f"?{query}" if query else "")
        message = http.HttpRequest(method, path, http.HttpHeaders([("host", target.host), *headers]), body)
        response = Response()
        outcome: Future[Response] = Future()

        def on_headers(status_code: int, headers: list[tuple[str, str]], **_kwargs: Any) -> None:
            response.status = status_code
            response.headers = {name.lower(): value for name, value in headers}
            if on_response_headers is not None:
                on_response_headers(response)

        def collect(chunk: bytes, **_kwargs: Any) -> None:
            response.body += chunk

        if not after_interrupt:
            self.ctx.cancellation.check()  # nothing new is sent once interrupted
        if self.missing_credentials is not None:
            raise self.missing_credentials
        refused = self._tls_failure(method, url)
        if refused is not None:
            raise refused
        crt_request = self.client.make_request(
            type=meta_type if meta_type is not None else s3.S3RequestType.DEFAULT,
            request=message,
            operation_name=operation,
            recv_filepath=recv_filepath,
            send_filepath=send_filepath,
            on_headers=on_headers,
            on_body=on_body if on_body is not None else (None if recv_filepath else collect),
            on_progress=on_progress,
            **options,
        )
        with self._lock:
            self._requests[outcome] = (crt_request, method, url, not after_interrupt)
            self._made += 1
            many = self._made > KEEP_THREAD_STATE_FROM
        if not after_interrupt and self.ctx.cancellation.cancelled:  # interrupted while made
            crt_request.cancel()

        def finished(done: Future[Any]) -> None:
            if many:
                keep_thread_state()
            with self._lock:
                self._requests.pop(outcome, None)  # (not the request: no cycle through it)
            if outcome.done():  # already failed by the TLS check
                return
            error = done.exception()
            refused = self._tls_failure(method, url) if error is not None else None
            if error is None:
                outcome.set_result(response)
            elif refused is not None:  # stopped by the TLS check (or failed the same way)
                outcome.set_exception(refused)
            elif body_failure is not None and (failed := body_failure(error)) is not None:
                outcome.set_exception(failed)  # the body's own failure (a file that shrank)
            elif needs_network(error):
                # Not on the CRT's event loop: wording a TLS failure shakes hands again (≤10 s).
                threading.Thread(
                    target=lambda: outcome.set_exception(translate(error, method, url)),
                    name="s3env-crt-error",
                    daemon=True,
                ).start()
            else:
                outcome.set_exception(translate(error, method, url))

        crt_request.finished_future.add_done_callback(finished)
        return outcome

    def _target(self, bucket: str, key: str) -> Any:
        address = self._addresses.get(bucket)
        if address is None:
            from s3env.shim.boto3.engine.crt_address import bucket_address

            profile = self.profile
            address = bucket_address(profile.endpoint_url, self.region, profile.addressing_style, bucket)
            self._addresses[bucket] = address
        return address.target(key)

    def url_of(self, bucket: str, key: str) -> str:
        """The URL of a request for ``bucket/key``, as errors name it."""
        return self._target(bucket, key).url()

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        """AbortMultipartUpload of an upload an interrupt left (``Context.interrupt``)."""
        from urllib.parse import quote

        query = f"uploadId={quote(upload_id, safe='')}"
        self.request(
            "DELETE", bucket, key, operation="AbortMultipartUpload", query=query, after_interrupt=True
        ).result()

    def request_failures(self) -> tuple[type[BaseException], ...]:
        from s3env.shim.boto3.engine.crt_errors import REQUEST_FAILURES

        return REQUEST_FAILURES

    def list_objects_v2(self, bucket: str, prefix: str, delimiter: str) -> Iterator[dict[str, Any]]:
        from s3env.shim.boto3.engine.crt_listing import list_objects_v2_pages

        return list_objects_v2_pages(self, bucket, prefix, delimiter)

    def interrupt(self) -> None:
        self.body_budget.cancel_waiting()
        with self._lock:
            in_flight = [entry[0] for entry in self._requests.values() if entry[3]]
        for crt_request in in_flight:
            crt_request.cancel()

    # -- transfers ------------------------------------------------------------------------------

    def botocore_engine(self) -> Engine:
        """The botocore engine, for what the CRT cannot do as s3env must (crt_upload.py): made
        on first use, so that a command that never needs it never imports botocore."""
        from s3env.shim.boto3.engine.botocore import BotocoreEngine

        with self._lock:
            if self._fallback is None:
                # (copy_command makes botocore's client up front only where it is needed)
                self._fallback = BotocoreEngine(self.ctx)
        return self._fallback

    def upload(
        self,
        bucket: str,
        key: str,
        fd: int,
        size: int,
        path: str,
        part_size: int,
        concurrency: int,
        extra: dict[str, Any],
        on_bytes: ByteCounter | None = None,
    ) -> Transfer:
        from s3env.shim.boto3.engine import crt_upload

        return (
            yield from crt_upload.upload(
                self, bucket, key, fd, size, path, part_size, concurrency, extra, on_bytes
            )
        )

    def download(
        self,
        bucket: str,
        key: str,
        fd: int,
        part_size: int,
        concurrency: int,
        version_id: str = "",
        on_bytes: ByteCounter | None = None,
        on_size: ByteCounter | None = None,
    ) -> Transfer:
        from s3env.shim.boto3.engine.crt_download import download_to_fd

        return (
            yield from download_to_fd(
                self, bucket, key, fd, part_size, concurrency, version_id, on_bytes, on_size
            )
        )

    def copy(
        self,
        source_bucket: str,
        source_key: str,
        version_id: str,
        bucket: str,
        key: str,
        extra: dict[str, Any],
    ) -> Transfer:
        from s3env.shim.boto3.engine import crt_upload

        return (yield from crt_upload.copy(self, source_bucket, source_key, version_id, bucket, key, extra))
