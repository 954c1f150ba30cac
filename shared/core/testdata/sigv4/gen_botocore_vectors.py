"""Generates botocore_vectors.json: SigV4 `authorization` headers computed by botocore's
SigV4Auth for a set of requests, signing exactly the headers aigw-core's signer signs
(content-type when present, host, x-amz-*). The core unit tests check the Rust signer
produces the same headers.

Run: python3 -m pip install botocore && python3 gen_botocore_vectors.py > botocore_vectors.json
All keys are fake."""

import datetime
import hashlib
import json
import sys

import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY_ID = "AKIDFAKEEXAMPLE"
SECRET = "fake/Secret+Key/EXAMPLEKEY0000000000000"
TOKEN = "FakeSessionToken//fake+token=="

CASES = [
    dict(name="bedrock-converse", method="POST", host="bedrock-runtime.us-east-1.amazonaws.com",
         path="/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
         content_type="application/json",
         body='{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
         region="us-east-1", service="bedrock", session=False, sha_header=False,
         time=1700000000),
    dict(name="session-token", method="POST", host="bedrock-runtime.eu-west-3.amazonaws.com",
         path="/model/amazon.titan-embed-text-v2%3A0/invoke", content_type="application/json",
         body='{"inputText":"x"}', region="eu-west-3", service="bedrock", session=True,
         sha_header=False, time=1767225599),
    dict(name="query-and-port", method="GET", host="127.0.0.1:8443",
         path="/a/./b/../c//list?z=1&a=x%20y&b=", content_type=None, body="",
         region="us-west-2", service="execute-api", session=False, sha_header=False,
         time=1609459200),
    dict(name="content-sha256", method="PUT", host="example-bucket.s3.us-east-1.amazonaws.com",
         path="/key", content_type="text/plain", body="hello  world",
         region="us-east-1", service="s3", session=True, sha_header=True, time=1700000123),
]


def vector(case):
    ts = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc)
    amz_date = ts.strftime("%Y%m%dT%H%M%SZ")
    body = case["body"].encode()
    headers = {"host": case["host"], "x-amz-date": amz_date}
    if case["content_type"]:
        headers["content-type"] = case["content_type"]
    if case["sha_header"]:
        headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    if case["session"]:
        headers["x-amz-security-token"] = TOKEN
    creds = Credentials(KEY_ID, SECRET, TOKEN if case["session"] else None)
    request = AWSRequest(method=case["method"], url=f"https://{case['host']}{case['path']}",
                         data=body, headers=headers)
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(creds, case["service"], case["region"])
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    signed = auth.signed_headers(auth.headers_to_sign(request))
    scope = auth.scope(request)
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")
    del headers["host"]
    if "content-type" in headers:
        del headers["content-type"]
    return {**case, "expected_headers": dict(sorted(headers.items()))}


if __name__ == "__main__":
    out = {"generated_by": f"botocore {botocore.__version__} SigV4Auth, {sys.argv[0]}",
           "access_key_id": KEY_ID, "secret_access_key": SECRET, "session_token": TOKEN,
           "cases": [vector(c) for c in CASES]}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
