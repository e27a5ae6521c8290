"""ListObjectsV2 on the CRT engine: the listing of a wildcard or a prefix without botocore.

A download of ``s3://b/p/*`` lists before it transfers; importing botocore and making its
client costs ~0.15 s, as much as the 1000 GETs that follow on the CRT.  The answer is parsed
here into the same page botocore's paginator yields (``Contents`` with Key, LastModified as an
aware datetime, ETag, Size, StorageClass; ``CommonPrefixes``; keys url-decoded as botocore
decodes them when it asked for ``encoding-type=url``), so storage/s3.py treats both alike.
Versions, HEADs and everything else stay botocore's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote_plus
from xml.etree import ElementTree

Page = dict[str, Any]


def _name(tag: str) -> str:
    """An element's name without its namespace (S3's, or none from some stores)."""
    return tag.rpartition("}")[2]


def _timestamp(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:  # not ISO 8601: botocore's own parser, which takes more forms
        from botocore.utils import parse_timestamp

        moment = parse_timestamp(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def parse_list_objects_v2(body: bytes) -> Page:
    """One ListObjectsV2 answer as botocore's paginator gives it (the fields s3env reads)."""
    root = ElementTree.fromstring(body)
    page: Page = {}
    contents: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    for element in root:
        name = _name(element.tag)
        if name == "Contents":
            item: dict[str, Any] = {}
            for field in element:
                field_name, text = _name(field.tag), field.text or ""
                if field_name == "Key":
                    item["Key"] = text
                elif field_name == "LastModified":
                    item["LastModified"] = _timestamp(text)
                elif field_name == "ETag":
                    item["ETag"] = text
                elif field_name == "Size":
                    item["Size"] = int(text)
                elif field_name == "StorageClass":
                    item["StorageClass"] = text
            contents.append(item)
        elif name == "CommonPrefixes":
            for field in element:
                if _name(field.tag) == "Prefix":
                    prefixes.append({"Prefix": field.text or ""})
        elif name == "IsTruncated":
            page["IsTruncated"] = (element.text or "").strip().lower() == "true"
        elif name in ("NextContinuationToken", "EncodingType", "Prefix", "Delimiter", "StartAfter"):
            page[name] = element.text or ""
        elif name == "KeyCount":
            page["KeyCount"] = int(element.text or 0)
    if contents:
        page["Contents"] = contents
    if prefixes:
        page["CommonPrefixes"] = prefixes
    if page.get("EncodingType") == "url":  # asked for below: decoded as botocore decodes
        for item in contents:
            if "Key" in item:
                item["Key"] = unquote_plus(item["Key"])
        for common in prefixes:
            common["Prefix"] = unquote_plus(common["Prefix"])
        for name in ("Delimiter", "Prefix", "StartAfter"):
            if name in page:
                page[name] = unquote_plus(page[name])
    return page


def list_query(prefix: str, delimiter: str, token: str | None) -> str:
    """The query botocore sends, ``encoding-type=url`` included (keys any XML 1.0 could not
    carry come back encoded)."""
    params = [("list-type", "2"), ("prefix", prefix), ("encoding-type", "url")]
    if delimiter:
        params.append(("delimiter", delimiter))
    if token is not None:
        params.append(("continuation-token", token))
    return "&".join(f"{name}={quote(value, safe='-_.~')}" for name, value in params)


def list_objects_v2_pages(engine: Any, bucket: str, prefix: str, delimiter: str) -> Iterator[Page]:
    """Every page of the listing, one request at a time (as botocore's paginator)."""
    token: str | None = None
    while True:
        query = list_query(prefix, delimiter, token)
        response = engine.request("GET", bucket, "", query=query, operation="ListObjectsV2").result()
        page = parse_list_objects_v2(bytes(response.body))
        yield page
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return
