"""The applicant's scans go through the storage API: on S3 (moto server on loopback) the upload,
the masked copy and the authorised download work the same, and objects stay private."""

import json

import boto3
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment
from tests.factories import ApplicationFactory
from tests.portal.test_storage_s3 import s3_endpoint, s3_storage  # noqa: F401  (fixtures)

from .helpers import scan_bytes


def test_upload_mask_and_download_on_s3(client, reference, s3_storage, s3_endpoint):  # noqa: F811
    app = ApplicationFactory()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:upload", args=[app.code]),
                           {"slot": "diploma", "file": SimpleUploadedFile("d.jpg", scan_bytes(), "image/jpeg")},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(application=app)
    client.post(reverse("applications:mask", args=[app.code, attachment.uid]),
                {"needs_masking": "1", "boxes": json.dumps([[100, 285, 700, 90]])})
    attachment.refresh_from_db()
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test")
    for field in (attachment.file, attachment.thumbnail, attachment.masked):
        key = f"portal/{field.name}"
        body = s3.get_object(Bucket="portal-scans", Key=key)["Body"].read()
        grants = s3.get_object_acl(Bucket="portal-scans", Key=key)["Grants"]
        assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
        served = client.get(reverse("applications:attachment_file", args=[
            attachment.uid, {"file": "original", "thumbnail": "thumb", "masked": "masked"}[field.field.name]]))
        assert b"".join(served.streaming_content) == body
