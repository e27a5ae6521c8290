"""awscrt's failures in s5cmd's words (a first cut; being completed)."""

from __future__ import annotations


def translate(error: BaseException, method: str, url: str) -> BaseException:
    name = getattr(error, "name", "")
    if name == "AWS_ERROR_S3_CANCELED":
        from s3env.shim.boto3.cancel import Cancelled

        return Cancelled()
    return error


def _request_failures() -> tuple[type[BaseException], ...]:
    try:
        from awscrt.exceptions import AwsCrtError
        from awscrt.s3 import S3ResponseError
    except ImportError:
        return ()
    return (S3ResponseError, AwsCrtError)


#: what a failed request of the CRT engine raises, once translated
REQUEST_FAILURES: tuple[type[BaseException], ...] = _request_failures()
