"""A fake AWS endpoint that accepts a request only when its SigV4 signature equals the one
botocore's SigV4Auth computes for the received request with the fake credentials. Runs in a
thread of the test process and records what it saw."""

import datetime
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# Obviously fake AWS credentials (given to Envoy through environment variables).
ACCESS_KEY_ID = "AKIDFAKEAIGWTEST0000"
SECRET_ACCESS_KEY = "fake+aigw/test/secret/key/000000000000000"
SESSION_TOKEN = "FakeAigwSessionToken//test+token=="
# A second, rotated key pair (given through a credentials file), without session token.
ROTATED_KEY_ID = "AKIDFAKEAIGWROTATED0"
ROTATED_SECRET = "fake+aigw/rotated/secret/key/0000000000000"
KEYS = {ACCESS_KEY_ID: (SECRET_ACCESS_KEY, SESSION_TOKEN), ROTATED_KEY_ID: (ROTATED_SECRET, None)}
AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")
MAX_SKEW = datetime.timedelta(minutes=5)


@dataclass
class Seen:
    """One request the fake received and its verdict."""

    path: str
    headers: dict
    body: bytes
    verdict: str


@dataclass
class FakeAws:
    """The running fake; `seen` lists every request in arrival order."""

    port: int
    region: str
    service: str
    seen: list = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def verify(fake: FakeAws, method: str, path: str, headers: dict, body: bytes) -> str:
    """'ok', or why the request is rejected."""
    m = AUTH_RE.match(headers.get("authorization", ""))
    if not m:
        return f"malformed authorization {headers.get('authorization')!r}"
    key_id, date, region, service, signed, signature = m.groups()
    if key_id not in KEYS or (region, service) != (fake.region, fake.service):
        return f"wrong scope {key_id}/{region}/{service}"
    secret, token = KEYS[key_id]
    amz_date = headers.get("x-amz-date", "")
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    if abs(datetime.datetime.now(datetime.timezone.utc) - when) > MAX_SKEW or date != amz_date[:8]:
        return f"x-amz-date {amz_date} is not now"
    if headers.get("x-amz-security-token") != token:
        return "missing or wrong x-amz-security-token"
    names = signed.split(";")
    for required in ("host", "x-amz-date") + (("x-amz-security-token",) if token else ()):
        if required not in names:
            return f"{required} is not signed"
    request = AWSRequest(method=method, url=f"http://{headers['host']}{path}", data=body,
                         headers={n: headers[n] for n in names})
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(key_id, secret, token), service, region)
    expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)),
                              request)
    return "ok" if expected == signature else f"signature mismatch (botocore: {expected})"


def chat_response(model: str, sha: str) -> bytes:
    """An OpenAI chat completion naming the SHA-256 of the body the fake received."""
    return json.dumps({
        "id": "chatcmpl-fake-aws", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": f"body sha256 {sha}"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }).encode()


def start(region: str, service: str = "bedrock") -> FakeAws:
    """Starts the fake on a free port of 127.0.0.1."""
    fake = FakeAws(port=0, region=region, service=service)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.read_body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            verdict = verify(fake, "POST", self.path, headers, body)
            fake.seen.append(Seen(self.path, headers, body, verdict))
            if verdict == "ok":
                model = json.loads(body).get("model", "")
                out, status = chat_response(model, hashlib.sha256(body).hexdigest()), 200
            else:
                out, status = json.dumps({"message": verdict}).encode(), 403
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def read_body(self) -> bytes:
            if self.headers.get("transfer-encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("content-length", 0)))
            body = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return body

        def log_message(self, *args):
            pass

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = fake.server.server_address[1]
    threading.Thread(target=fake.server.serve_forever, daemon=True).start()
    return fake
