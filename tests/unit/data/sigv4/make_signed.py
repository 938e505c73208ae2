#!/usr/bin/env python3
"""Signs a few requests with botocore's SigV4 signer (what the AWS CLI uses) and writes
them to botocore_signed.json for tests/unit/test_sigv4.c and test_iam.c.

Run from anywhere: python3 make_signed.py  (needs botocore; the output is committed).
Each entry: the request as it goes on the wire (method, raw path, raw query, headers in
order, body) plus the time and key it was signed with."""
import datetime
import json
import os
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AK = "AKIAGATEHOUSEEXAMPLE"
SK = "gH0use/SecretKeyForTests+ExampleOnly1234"
WHEN = datetime.datetime(2026, 6, 9, 14, 3, 11, tzinfo=datetime.timezone.utc)
HOST = "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com"
REGION = "eu-west-1"


def sign(name, method, url, body=b"", headers=None, token=None, presign=None):
    creds = Credentials(AK, SK, token)
    req = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    if presign:
        signer = botocore.auth.SigV4QueryAuth(creds, "execute-api", REGION, expires=presign)
    else:
        signer = botocore.auth.SigV4Auth(creds, "execute-api", REGION)
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda: WHEN.replace(tzinfo=None)):
        signer.add_auth(req)
    parts = urlsplit(req.url)
    hdrs = [["Host", parts.netloc]] + [[k, v] for k, v in req.headers.items()]
    return {
        "name": name,
        "method": method,
        "path": parts.path,
        "query": parts.query,
        "headers": hdrs,
        "body": (body or b"").decode(),
        "signed_at": WHEN.strftime("%Y%m%dT%H%M%SZ"),
    }


cases = [
    sign("post-json", "POST", f"https://{HOST}/prod/orders/42?expand=items&tag=a%20b",
         b'{"item":"pen","qty":2}', {"Content-Type": "application/json"}),
    sign("get-session-token", "GET", f"https://{HOST}/prod/orders/42",
         token="IQoJb3JpZ2luX2VjEXAMPLETOKEN=="),
    sign("get-encoded-path", "GET", f"https://{HOST}/prod/files/a%20b/c%2Bd"),
    sign("presigned-get", "GET", f"https://{HOST}/prod/orders/42?expand=items", presign=300),
]
out = {"botocore": botocore.__version__, "access_key": AK, "secret_key": SK,
       "region": REGION, "service": "execute-api", "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_signed.json")
with open(path, "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
