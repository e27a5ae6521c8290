"""The boto3 backend signs with botocore's Python SigV4 signers, also where awscrt is installed.

With ``awscrt`` importable, botocore signs every client's requests with it (``botocore.crt.auth``)
and reads a request body through ``awscrt.io`` to hash it; an exception of the body's own (the
file shrank: ``tests/test_shim_robustness.py``; ``Cancelled`` at Ctrl-C) then comes back as
``AWS_ERROR_UNKNOWN``.  ``context.use_python_signers`` changes that for the backend's client
only; the test holds both halves: ours signs in Python, a plain client of the same process keeps
botocore's choice.  That the signatures are good is what every conformance test against moto and
SeaweedFS shows.
"""

from __future__ import annotations

import io

import botocore.auth
import botocore.session

from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.context import Context
from tests.conftest import Sandbox


def backend_client(endpoint: str = "http://127.0.0.1:9") -> object:
    profile = Profile(
        "p",
        endpoint_url=endpoint,
        region="us-east-1",
        addressing_style="path",
        access_key_id="AK",
        secret_access_key="SK",
    )
    request = ShimRequest("ls", [], profile, stdout=io.BytesIO(), stderr=io.BytesIO())
    return Context(request).client


def test_the_backend_signs_in_python_and_leaves_other_clients_alone(sandbox: Sandbox) -> None:
    client = backend_client()
    signer = client._request_signer  # type: ignore[attr-defined]
    for version, python in [("s3v4", botocore.auth.S3SigV4Auth), ("v4", botocore.auth.SigV4Auth)]:
        auth = signer.get_auth_instance("s3", "us-east-1", version)
        assert type(auth) is python, (version, type(auth))
    query = signer.get_auth_instance("s3", "us-east-1", "s3v4-query", expires=60)
    assert type(query) is botocore.auth.S3SigV4QueryAuth and query._expires == 60
    plain = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="AK", aws_secret_access_key="SK"
    )
    theirs = plain._request_signer.get_auth_instance("s3", "us-east-1", "s3v4")
    assert type(theirs) is botocore.auth.AUTH_TYPE_MAPS["s3v4"]  # botocore's choice: awscrt's if it can
