"""What every boto3-backend command gets: the client, the output streams, the options."""

from __future__ import annotations

import sys
from typing import IO, Any

from s3env.backends.base import ShimRequest
from s3env.backends.boto3_backend.progress import NO_PROGRESS, TransferProgress, is_terminal

# aws-sdk-go, which s5cmd uses, asks for 100-continue only on PUTs of 2 MiB and more.
EXPECT_CONTINUE_FROM = 2 * 1024 * 1024


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


class ShimError(Exception):
    """A failure reported as s5cmd does: ``ERROR "COMMAND": message``, exit status 1."""


class Context:
    def __init__(self, request: ShimRequest) -> None:
        self.request = request
        self.profile = request.profile
        self.json = request.json
        self.dry_run = request.dry_run
        # s5cmd defaults to 256 workers; a Python thread pool gains nothing past a few dozen.
        self.numworkers = max(1, min(request.numworkers or 32, 64))
        self.stdout: IO[bytes] = request.stdout or sys.stdout.buffer
        self.stderr: IO[bytes] = request.stderr or sys.stderr.buffer
        self.failed = False
        self.reader_went_away = False  # stdout's reader closed it (`| head`): see reader_gone
        self._client: Any = None
        self._loader: Any = None
        self.progress: TransferProgress = NO_PROGRESS  # cp/mv/sync set a real one on a terminal

    @property
    def client(self) -> Any:
        """A botocore S3 client for the profile, made on first use.

        botocore directly, not ``boto3.Session``: importing boto3 also imports s3transfer and
        multiprocessing, which only a large upload needs (``transfer._put`` imports it then).
        """
        if self._client is None:
            import botocore.session
            from botocore.config import Config
            from botocore.configprovider import ConstantProvider
            from botocore.handlers import add_expect_header

            from s3env.backends.boto3_backend.models import make_loader, save_loader

            core = botocore.session.get_session()
            # AWS_PROFILE in the environment must not pull in another profile's settings.
            core.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
            # botocore's parsed data files from s3env's cache: ~100 ms less per command (models.py).
            self._loader = make_loader(core.get_config_variable("data_path"))
            core.register_component("data_loader", self._loader)
            s3: dict[str, str] = {}
            if self.profile.addressing_style != "auto":
                s3["addressing_style"] = self.profile.addressing_style
            config = Config(
                s3=s3 or None,
                ignore_configured_endpoint_urls=True,
                retries={"mode": "standard", "max_attempts": 5},
                max_pool_connections=self.numworkers,
                connect_timeout=10,
                read_timeout=60,
                # As s5cmd: no response checksums (ranged parts carry none; validating a whole
                # object in Python halves download speed).  Sizes are still checked.
                response_checksum_validation="when_required",
                # s5cmd sends no checksums on uploads either (many S3-compatible stores refuse
                # boto3's default CRC32 since 1.36; see model.checksum_settings).
                request_checksum_calculation="when_required",
            )
            self._client = core.create_client(
                "s3",
                region_name=self.profile.region or "us-east-1",
                endpoint_url=self.profile.endpoint_url,
                aws_access_key_id=self.profile.access_key_id,
                aws_secret_access_key=self.profile.secret_access_key,
                aws_session_token=self.profile.session_token,
                config=config,
            )
            events = self._client.meta.events
            events.unregister("before-call.s3", add_expect_header)
            events.register("before-call.s3", expect_continue_above_2mib)
            events.register("before-call.s3.DeleteObjects", content_md5_not_crc32)
            save_loader(self._loader)
        return self._client

    def close(self) -> None:
        """End of the command: keep what the data loader parsed since the client was made
        (the paginator model of a listing, say) for the next command."""
        if self._loader is not None:
            from s3env.backends.boto3_backend.models import save_loader

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

    def start_progress(self, label: str) -> TransferProgress:
        """A progress bar for one transfer command (``with ctx.start_progress("cp"):``): live on
        a terminal, a no-op on a pipe or with --json."""
        self.progress = TransferProgress(not self.json and is_terminal(self.stderr), label)
        return self.progress

    # --- output, in s5cmd's formats -------------------------------------------------------

    def out(self, line: str) -> None:
        self.stdout.write(line.encode("utf-8") + b"\n")
        self.stdout.flush()

    def error(self, command: str, message: str) -> None:
        self.failed = True
        if self.json:
            from s3env.backends.boto3_backend.gofmt import go_json

            line = go_json({"operation": command, "command": command, "error": message})
            self.stderr.write((line + "\n").encode())
        else:
            self.stderr.write(f'ERROR "{command}": {message}\n'.encode())
        self.stderr.flush()
