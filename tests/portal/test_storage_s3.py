"""The S3 path is proven, not assumed: django-storages against a real S3-compatible server
(moto in server mode) listening on loopback, spoken to over HTTP."""

from __future__ import annotations

import socket

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket="portal-scans")
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "portal-scans", "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                    "access_key": "test", "secret_key": "test", "default_acl": "private",
                    "querystring_auth": True, "file_overwrite": False, "location": "portal"},
    }}
    storage = storages["default"]
    yield storage


def test_s3_storage_round_trip(s3_storage, s3_endpoint):
    payload = "扫描件".encode() + bytes(range(256)) * 64
    name = s3_storage.save("scans/1/2/abc-original.jpg", ContentFile(payload))
    assert s3_storage.exists(name)
    with s3_storage.open(name, "rb") as fh:
        assert fh.read() == payload
    assert s3_storage.size(name) == len(payload)
    # The object really is in the bucket, under the configured prefix, and private.
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    obj = client.get_object(Bucket="portal-scans", Key=f"portal/{name}")
    assert obj["Body"].read() == payload
    grants = client.get_object_acl(Bucket="portal-scans", Key=f"portal/{name}")["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    # A URL, when one is made at all, is signed and short-lived.
    assert "Signature=" in s3_storage.url(name) or "X-Amz-Signature=" in s3_storage.url(name)
    s3_storage.delete(name)
    assert not s3_storage.exists(name)


def test_s3_storage_does_not_overwrite(s3_storage):
    first = s3_storage.save("scans/same.jpg", ContentFile(b"one"))
    second = s3_storage.save("scans/same.jpg", ContentFile(b"two"))
    assert first != second
    with s3_storage.open(first) as fh:
        assert fh.read() == b"one"
