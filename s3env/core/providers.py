"""Provider presets: where each S3 service lives, which region string it wants, how to address buckets.

Pure data plus tiny pure functions; stdlib only (tests/test_import_budget.py).

Where the facts come from (read for this module; each preset's ``docs_url`` is its main source):

* rclone's per-provider table, ``backend/s3/provider/*.yaml`` and the ``force_path_style`` quirk in
  ``backend/s3/s3.go`` (https://github.com/rclone/rclone/tree/master/backend/s3/provider):
  cross-check for endpoints and for which services need path-style requests.
* AWS: https://docs.aws.amazon.com/general/latest/gr/s3.html and
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
* MinIO: https://github.com/minio/minio/blob/master/docs/config/README.md ("By default, MinIO
  supports path-style requests"; ``MINIO_DOMAIN`` enables virtual-host style) and
  ``globalMinioDefaultRegion = "us-east-1"`` in minio's ``cmd/globals.go``.
* Ceph RGW: https://docs.ceph.com/en/latest/radosgw/s3/commons/ (virtual-host style only once
  ``rgw_dns_name`` or zonegroup ``hostnames`` is set) and
  https://docs.ceph.com/en/latest/radosgw/placement/ (LocationConstraint vs zonegroup ``api_name``).
* Cloudflare R2: https://developers.cloudflare.com/r2/api/s3/api/ ("the region for an R2 bucket is
  ``auto``"; ``us-east-1`` and empty alias to it; endpoint ``https://<ACCOUNT_ID>.r2.cloudflarestorage.com``).
* Alibaba Cloud OSS: https://www.alibabacloud.com/help/en/oss/developer-reference/use-aws-sdks-to-access-oss
  (S3-compatible endpoint ``https://s3.oss-{region}.aliyuncs.com``, region id such as ``cn-hangzhou``)
  and https://www.alibabacloud.com/help/en/oss/developer-reference/compatibility-with-amazon-s3
  ("OSS supports only virtual-hosted style ... Path-style requests are denied").
* Tencent Cloud COS: https://www.tencentcloud.com/document/product/436/32537 (endpoint
  ``cos.<region>.myqcloud.com``, region such as ``ap-guangzhou``) and
  https://www.tencentcloud.com/document/product/436/57456 (buckets created after 2024-01-01 cannot
  use path-style domain names).
* Google Cloud Storage: https://cloud.google.com/storage/docs/aws-simple-migration (S3 SDK samples use
  endpoint ``https://storage.googleapis.com`` and region ``auto``) and
  https://cloud.google.com/storage/docs/request-endpoints (XML API accepts both styles).
* Backblaze B2: https://www.backblaze.com/docs/cloud-storage-call-the-s3-compatible-api (endpoint
  ``https://s3.<region>.backblazeb2.com``, both styles valid) and
  https://www.backblaze.com/apidocs/introduction-to-the-s3-compatible-api (one region per account).
* Wasabi: https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions (``s3.wasabisys.com``
  is US East 1, alias ``s3.us-east-1.wasabisys.com``) and
  https://docs.wasabi.com/docs/rest-api-introduction ("Wasabi recommends using path-style requests").
* DigitalOcean Spaces: https://docs.digitalocean.com/products/spaces/reference/aws-sdks/ (endpoint
  ``https://<region>.digitaloceanspaces.com``, region = the slug in the endpoint, boto3 sample sets
  ``addressing_style: virtual``).
* Scaleway: https://www.scaleway.com/en/docs/storage/object/concepts/ (``s3.<region>.scw.cloud``;
  both styles valid, virtual-host generally preferred; dotted bucket names need path style).
* SeaweedFS: https://github.com/seaweedfs/seaweedfs/wiki/Amazon-S3-API (``weed s3`` gateway;
  rclone lists ``localhost:8333`` and forces path style).

Addressing styles mean what botocore means: ``path``, ``virtual``, or ``auto`` (let the tool
choose).  Note that botocore's ``auto`` picks path style whenever an ``endpoint_url`` is set
(``botocore/args.py``), so presets whose service *refuses* path style say ``virtual`` explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from s3env.core.errors import InvalidValue, UnknownProvider

AddressingStyle = Literal["auto", "path", "virtual"]

# Only these placeholders may appear in an endpoint template.
PLACEHOLDERS: tuple[str, ...] = ("region", "account_id")

# A region is spliced into a host name, so it must be one DNS label.
_HOST_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")


@dataclass(frozen=True)
class Provider:
    """One preset.  ``endpoint_template=None`` means AWS's own endpoint resolution, unless
    ``self_hosted`` says the service has no fixed address at all."""

    name: str
    title: str
    endpoint_template: str | None
    addressing_style: AddressingStyle
    default_region: str | None
    region_note: str
    endpoint_note: str
    docs_url: str
    self_hosted: bool = False
    example_region: str | None = None

    def needs_endpoint(self) -> bool:
        """True when s3env cannot build the endpoint without ``--endpoint-url``."""
        if self.endpoint_template is None:
            return self.self_hosted
        return "{account_id}" in self.endpoint_template

    def endpoint_for(self, region: str | None) -> str | None:
        """The endpoint URL for ``region`` (``default_region`` when None); None for AWS.

        Raises InvalidValue, with a one-line hint at what ``--endpoint-url`` should be, when the
        endpoint cannot be derived.
        """
        template = self.endpoint_template
        if template is None:
            if self.self_hosted:
                raise InvalidValue(f"provider '{self.name}' has no fixed endpoint: {self._note()}")
            return None
        if "{account_id}" in template:
            raise InvalidValue(
                f"provider '{self.name}' needs --endpoint-url {self._shown(region)}: {self._note()}"
            )
        if "{region}" not in template:
            return template
        region = region or self.default_region
        if not region:
            example = f" (e.g. --region {self.example_region})" if self.example_region else ""
            raise InvalidValue(
                f"provider '{self.name}' needs a region to build its endpoint: give --region{example} "
                f"or --endpoint-url {self._shown(None)}"
            )
        if not isinstance(region, str) or not _HOST_LABEL_RE.match(region):
            shown = repr(region)[:70]
            raise InvalidValue(
                f"region {shown} cannot be part of the {self.title} endpoint host name: use letters, "
                f"digits and inner '-' (e.g. {self.example_region or self.default_region or 'us-east-1'}), "
                f"or give --endpoint-url {self._shown(None)}"
            )
        return template.replace("{region}", region)

    def _note(self) -> str:
        """The endpoint note, to follow a colon in an error message."""
        return self.endpoint_note[:1].lower() + self.endpoint_note[1:]

    def _shown(self, region: str | None) -> str:
        """The template as a user-facing example, placeholders written as <REGION>/<ACCOUNT_ID>."""
        template = self.endpoint_template or ""
        if region and _HOST_LABEL_RE.match(region):
            template = template.replace("{region}", region)
        return template.replace("{region}", "<REGION>").replace("{account_id}", "<ACCOUNT_ID>")


_ALL: tuple[Provider, ...] = (
    Provider(
        name="aws",
        title="Amazon S3",
        endpoint_template=None,
        addressing_style="auto",
        default_region="us-east-1",
        region_note="Use the bucket's AWS region code (e.g. eu-west-1); us-east-1 is the classic default, "
        "and botocore follows S3's redirect to a bucket's own region.",
        endpoint_note="No --endpoint-url needed: AWS tools resolve s3.<region>.amazonaws.com themselves.",
        docs_url="https://docs.aws.amazon.com/general/latest/gr/s3.html",
        example_region="eu-west-1",
    ),
    Provider(
        name="minio",
        title="MinIO",
        endpoint_template=None,
        addressing_style="path",
        default_region="us-east-1",
        region_note="MinIO's default region is us-east-1 unless the server configures another one "
        "(MINIO_SITE_REGION).",
        endpoint_note="Self-hosted: give --endpoint-url with your server's URL, e.g. http://127.0.0.1:9000 "
        "(path style is the default; virtual-host style needs MINIO_DOMAIN on the server).",
        docs_url="https://github.com/minio/minio/blob/master/docs/config/README.md",
        self_hosted=True,
    ),
    Provider(
        name="ceph",
        title="Ceph Object Gateway (RGW)",
        endpoint_template=None,
        addressing_style="path",
        default_region="us-east-1",
        region_note="RGW checks a CreateBucket LocationConstraint against its zonegroup api_name "
        "('default' on a stock cluster); clients conventionally use us-east-1, for which AWS tools "
        "send none.",
        endpoint_note="Self-hosted: give --endpoint-url with your RGW URL, e.g. https://rgw.example.com "
        "(virtual-host style needs rgw_dns_name or zonegroup hostnames on the gateway).",
        docs_url="https://docs.ceph.com/en/latest/radosgw/s3/commons/",
        self_hosted=True,
    ),
    Provider(
        name="r2",
        title="Cloudflare R2",
        endpoint_template="https://{account_id}.r2.cloudflarestorage.com",
        addressing_style="auto",
        default_region="auto",
        region_note="R2's S3 region is always 'auto'; an empty region and us-east-1 are aliases for it.",
        endpoint_note="Use your Cloudflare account ID (dashboard, R2 overview) as the host's first label; "
        "EU-jurisdiction buckets use https://<ACCOUNT_ID>.eu.r2.cloudflarestorage.com.",
        docs_url="https://developers.cloudflare.com/r2/api/s3/api/",
    ),
    Provider(
        name="oss",
        title="Alibaba Cloud OSS",
        endpoint_template="https://s3.oss-{region}.aliyuncs.com",
        addressing_style="virtual",
        default_region=None,
        region_note="Use the OSS region ID without the 'oss-' prefix (e.g. cn-hangzhou); a bucket is "
        "reachable only through its own region's endpoint.",
        endpoint_note="Derived from the region; the internal network endpoint is "
        "https://s3.oss-<REGION>-internal.aliyuncs.com (OSS refuses path-style requests).",
        docs_url="https://www.alibabacloud.com/help/en/oss/developer-reference/use-aws-sdks-to-access-oss",
        example_region="cn-hangzhou",
    ),
    Provider(
        name="cos",
        title="Tencent Cloud COS",
        endpoint_template="https://cos.{region}.myqcloud.com",
        addressing_style="virtual",
        default_region=None,
        region_note="Use the COS region code of the bucket (e.g. ap-guangzhou, na-ashburn).",
        endpoint_note="Derived from the region; bucket names carry the APPID suffix (name-1250000000) and "
        "buckets created after 2024-01-01 refuse path-style requests.",
        docs_url="https://www.tencentcloud.com/document/product/436/32537",
        example_region="ap-guangzhou",
    ),
    Provider(
        name="gcs",
        title="Google Cloud Storage (XML API)",
        endpoint_template="https://storage.googleapis.com",
        addressing_style="auto",
        default_region="auto",
        region_note="Google's S3-SDK samples sign with region 'auto'; the bucket's location is not needed.",
        endpoint_note="Fixed endpoint for every bucket; authenticate with an HMAC key (access ID and "
        "secret) from Cloud Storage settings.",
        docs_url="https://cloud.google.com/storage/docs/aws-simple-migration",
        example_region="auto",
    ),
    Provider(
        name="b2",
        title="Backblaze B2",
        endpoint_template="https://s3.{region}.backblazeb2.com",
        addressing_style="auto",
        default_region=None,
        region_note="Use the region from your bucket's endpoint (e.g. us-west-004); a B2 account lives in "
        "a single region.",
        endpoint_note="Derived from the region shown in the bucket's Endpoint (s3.<REGION>.backblazeb2.com); "
        "HTTPS only, and the master application key does not work with the S3 API.",
        docs_url="https://www.backblaze.com/docs/cloud-storage-call-the-s3-compatible-api",
        example_region="us-west-004",
    ),
    Provider(
        name="wasabi",
        title="Wasabi",
        endpoint_template="https://s3.{region}.wasabisys.com",
        addressing_style="path",
        default_region="us-east-1",
        region_note="Use the Wasabi region code (e.g. eu-central-1); us-east-1 is the region behind "
        "s3.wasabisys.com.",
        endpoint_note="Derived from the region; s3.wasabisys.com is an alias for US East 1, and Wasabi "
        "recommends path-style requests.",
        docs_url="https://docs.wasabi.com/docs/service-urls-for-wasabis-storage-regions",
        example_region="eu-central-1",
    ),
    Provider(
        name="digitalocean",
        title="DigitalOcean Spaces",
        endpoint_template="https://{region}.digitaloceanspaces.com",
        addressing_style="virtual",
        default_region=None,
        region_note="Use the datacenter slug from the endpoint (e.g. nyc3, fra1); some SDKs need "
        "us-east-1 only to create buckets.",
        endpoint_note="Derived from the region; it is shown in the bucket's settings in the control panel.",
        docs_url="https://docs.digitalocean.com/products/spaces/reference/aws-sdks/",
        example_region="nyc3",
    ),
    Provider(
        name="scaleway",
        title="Scaleway Object Storage",
        endpoint_template="https://s3.{region}.scw.cloud",
        addressing_style="auto",
        default_region=None,
        region_note="Use the Scaleway region (fr-par, nl-ams or pl-waw).",
        endpoint_note="Derived from the region; both addressing styles work, but bucket names with a dot "
        "need path style.",
        docs_url="https://www.scaleway.com/en/docs/storage/object/concepts/",
        example_region="fr-par",
    ),
    Provider(
        name="seaweedfs",
        title="SeaweedFS S3 gateway",
        endpoint_template=None,
        addressing_style="path",
        default_region="us-east-1",
        region_note="No region convention is documented for the 'weed s3' gateway; us-east-1, the usual "
        "S3 client default, is used.",
        endpoint_note="Self-hosted: give --endpoint-url with the 'weed s3' gateway URL, e.g. "
        "http://127.0.0.1:8333.",
        docs_url="https://github.com/seaweedfs/seaweedfs/wiki/Amazon-S3-API",
        self_hosted=True,
    ),
)

PROVIDERS: dict[str, Provider] = {p.name: p for p in _ALL}


def get_provider(name: str) -> Provider:
    """The preset called ``name`` (case-insensitive).  Raises UnknownProvider listing the known ones."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key is not None and key in PROVIDERS:
        return PROVIDERS[key]
    shown = repr(name)[:70] if isinstance(name, str) else repr(type(name).__name__)
    raise UnknownProvider(f"unknown provider {shown} (known: {', '.join(PROVIDERS)})")
