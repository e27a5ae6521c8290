"""awscrt's failures in s5cmd's words (a first cut; being completed)."""

from __future__ import annotations

from typing import Any


class CrtAnswerError(Exception):
    """An S3 error answer to a CRT request, with botocore's ``response`` dict (errors.py reads
    that, as for a botocore ``ClientError``)."""

    def __init__(self, response: dict[str, Any]) -> None:
        error = response.get("Error") or {}
        super().__init__(f"{error.get('Code', '')}: {error.get('Message', '')}")
        self.response = response


def _answer(error: Any) -> CrtAnswerError:
    """awscrt's S3ResponseError as botocore parses the same answer: the XML body's Code and
    Message, the headers' request and host ids."""
    import xml.etree.ElementTree as ElementTree

    headers = {name.lower(): value for name, value in error.headers or []}
    fields: dict[str, str] = {}
    body = error.body or b""
    if body:
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            root = None
        if root is not None:
            for child in root:
                fields[child.tag.rpartition("}")[2]] = child.text or ""
    status = int(error.status_code)
    # the ids from the headers only, as botocore (the body's copies are dropped)
    metadata: dict[str, Any] = {"HTTPStatusCode": status}
    if "x-amzn-requestid" in headers:
        metadata["RequestId"] = headers["x-amzn-requestid"]
    elif "x-amz-request-id" in headers:
        metadata["RequestId"] = headers["x-amz-request-id"]
        metadata["HostId"] = headers.get("x-amz-id-2", "")
    return CrtAnswerError(
        {
            "Error": {"Code": fields.get("Code", str(status)), "Message": fields.get("Message", "")},
            "ResponseMetadata": metadata,
        }
    )


def translate(error: BaseException, method: str, url: str) -> BaseException:
    name = getattr(error, "name", "")
    if name == "AWS_ERROR_S3_CANCELED":
        from s3env.shim.boto3.cancel import Cancelled

        return Cancelled()
    if getattr(error, "status_code", None) and getattr(error, "headers", None) is not None:
        return _answer(error)
    return error
