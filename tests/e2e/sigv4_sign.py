#!/usr/bin/env python3
"""Signs one request the way the AWS CLI does (botocore's SigV4Auth, service
execute-api) and prints the headers to send, one "Name: value" per line.

usage: sigv4_sign.py METHOD URL REGION ACCESS_KEY SECRET_KEY [BODY]
The service is execute-api unless SIGV4_SERVICE names another (sqs, sns, lambda).
The e2e tests send the request themselves, so what is checked is gatehouse's verifier
against the signer real clients use."""
import os
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    method, url, region, access, secret = sys.argv[1:6]
    body = sys.argv[6].encode() if len(sys.argv) > 6 else None
    req = AWSRequest(method=method, url=url, data=body)
    service = os.environ.get("SIGV4_SERVICE", "execute-api")
    SigV4Auth(Credentials(access, secret), service, region).add_auth(req)
    for name, value in req.headers.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
