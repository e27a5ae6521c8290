"""awscrt's failures in s5cmd's words (a first cut; being completed)."""

from __future__ import annotations


def translate(error: BaseException, method: str, url: str) -> BaseException:
    name = getattr(error, "name", "")
    if name == "AWS_ERROR_S3_CANCELED":
        from s3env.shim.boto3.cancel import Cancelled

        return Cancelled()
    return error
