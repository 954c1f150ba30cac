"""AWS SigV4 with keys from a shared credentials file (native modules only): signed requests
verified by botocore, a rotated file picked up without a restart; the wasm build refuses it."""

import os
import subprocess
import time

import yaml

from support import fake_aws, own_gateway, paths
from support.bodies import chat

MODEL = "bedrock-file"
REGION = "ap-south-1"


def credentials(key_id: str, secret: str, token: str | None) -> str:
    lines = ["[other]", "aws_access_key_id = AKIDFAKEOTHER", "aws_secret_access_key = x", "",
             "[bedrock]", f"aws_access_key_id = {key_id}", f"aws_secret_access_key = {secret}"]
    if token:
        lines.append(f"aws_session_token = {token}")
    return "\n".join(lines) + "\n"


def backend(port: int, path) -> dict:
    return {"name": "aws", "schema": "OpenAI", "endpoint": f"http://127.0.0.1:{port}/v1",
            "auth": {"kind": "aws_sigv4", "region": REGION, "credentials_file": str(path),
                     "profile": "bedrock"}}


def test_credentials_file_signs_and_rotates(module_kind, tmp_path):
    if module_kind == "wasm":
        # proxy-wasm has no filesystem: the control plane refuses the config, naming the field.
        config = tmp_path / "gateway.yaml"
        config.write_text(yaml.safe_dump({"module": "wasm", "backends": [backend(1, "/c")],
                                          "routes": [{"name": "r", "models": [MODEL],
                                                      "backend": "aws"}]}))
        res = subprocess.run([str(paths.aigw()), "translate", str(config), "--module", "wasm"],
                             capture_output=True, text=True, timeout=30)
        assert res.returncode != 0
        assert "backends[0].auth.credentials_file: not available with module wasm" in res.stderr
        return
    aws = fake_aws.start(REGION)
    creds = tmp_path / "aws-credentials"
    creds.write_text(credentials(fake_aws.ACCESS_KEY_ID, fake_aws.SECRET_ACCESS_KEY,
                                 fake_aws.SESSION_TOKEN))
    gateway = own_gateway.start(tmp_path / "gw", module_kind, [backend(aws.port, creds)],
                                [{"name": "aws", "models": [MODEL], "backend": "aws"}], {})
    try:
        with gateway.client() as client:
            r1 = client.post("/v1/chat/completions", json=chat(MODEL, "from the file"))
            creds.write_text(credentials(fake_aws.ROTATED_KEY_ID, fake_aws.ROTATED_SECRET, None))
            mtime = time.time() + 5
            os.utime(creds, (mtime, mtime))
            time.sleep(1.2)  # the file is checked at most once a second
            r2 = client.post("/v1/chat/completions", json=chat(MODEL, "after rotation"))
    finally:
        gateway.envoy.stop()
        aws.stop()
    verdicts = [s.verdict for s in aws.seen]
    key_ids = [s.headers["authorization"].split("Credential=")[1].split("/")[0] for s in aws.seen]
    print(f"fake AWS verdicts: {verdicts}, key ids: {key_ids}")
    assert verdicts == ["ok", "ok"]
    assert (r1.status_code, r2.status_code) == (200, 200)
    assert key_ids == [fake_aws.ACCESS_KEY_ID, fake_aws.ROTATED_KEY_ID]
    assert "x-amz-security-token" not in aws.seen[1].headers
