"""The boto3 backend signs with botocore's Python SigV4 signer, also where awscrt is installed.

With ``awscrt`` importable, botocore signs every client's requests with it (``botocore.crt.auth``)
and reads a request body through ``awscrt.io`` to hash it; an exception of the body's own (the
file shrank: ``tests/test_shim_robustness.py``; ``Cancelled`` at Ctrl-C) then came back as
``AWS_ERROR_UNKNOWN`` with a traceback.  ``context.python_signer`` (a ``choose-signer`` handler
on the backend's client) keeps botocore's Python class; the test holds both halves: a body's
exception reaches the caller as itself, and botocore's own names still map to its choice for
every other client of the process.  That the signatures are good is what every conformance test
against moto and SeaweedFS shows.
"""

from __future__ import annotations

import io

import botocore.auth
import pytest

from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.context import Context
from tests.conftest import MotoServer, Sandbox


class BodyBroke(Exception):
    """Raised by the body while it is read (as a file that shrank raises FileChangedError)."""


class BreakingBody(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        raise BodyBroke("the body's own error")

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def tell(self) -> int:
        return 0


def backend_client(endpoint: str) -> object:
    profile = Profile(
        "p",
        endpoint_url=endpoint,
        region="us-east-1",
        addressing_style="path",
        access_key_id="test",
        secret_access_key="test",
    )
    request = ShimRequest("cp", [], profile, stdout=io.BytesIO(), stderr=io.BytesIO())
    return Context(request).client


def test_a_body_error_reaches_the_caller_as_itself(sandbox: Sandbox, moto: MotoServer) -> None:
    before = dict(botocore.auth.AUTH_TYPE_MAPS)
    client = backend_client(moto.url)  # http: the payload is hashed, so the signer reads the body
    with pytest.raises(BodyBroke):
        client.put_object(Bucket="b", Key="k", Body=BreakingBody(), ContentLength=10)  # type: ignore[attr-defined]
    # botocore's names keep their classes (awscrt's where it is installed): other clients unchanged
    assert {name: botocore.auth.AUTH_TYPE_MAPS[name] for name in before} == before
