"""Secret hygiene, checked after the rest of the suite (pytest runs files in name order, so
this one runs last): no fake secret of support/secrets.py appears in any Envoy log, access
log or generated config the session wrote, nor in the admin endpoints of the gateway."""

from pathlib import Path

from support import secrets

# What the gateway and the tests' own gateways write: Envoy logs, access logs, generated
# bootstraps and gateway configs. Key and credentials files hold secrets on purpose.
PATTERNS = ("*.log", "*.yaml", "*.yml", "*.json")
ADMIN_PATHS = ("config_dump?include_eds", "stats", "stats/prometheus", "clusters",
               "server_info", "listeners", "runtime")


def written_files(root: Path) -> list:
    files = {p for pattern in PATTERNS for p in root.rglob(pattern) if p.is_file()}
    # testupstream and the fake MCP servers are the providers: they receive the keys; files
    # named *.credentials.json are key files handed to the gateway on purpose.
    return sorted(p for p in files if not p.name.startswith(("testupstream", "mcp-server"))
                  and not p.name.endswith(".credentials.json"))


def test_no_secret_in_logs_configs_or_admin(gateway, tmp_path_factory):
    known = secrets.all_secrets()
    assert len(known) >= 8, known
    root = tmp_path_factory.getbasetemp()
    files = written_files(root)
    assert any(p.name == "envoy.log" for p in files), f"no Envoy log under {root}"
    assert any(p.name == "access.log" for p in files), f"no access log under {root}"
    assert any(p.name == "envoy.yaml" for p in files), f"no generated bootstrap under {root}"
    texts = {str(p.relative_to(root)): p.read_text(errors="replace") for p in files}
    with gateway.client() as c:
        for path in ADMIN_PATHS:
            r = c.get(f"{gateway.admin_url}/{path}")
            assert r.status_code == 200, (path, r.status_code)
            texts[f"admin /{path}"] = r.text
    assert "AIGW_IT_OPENAI_KEY" in texts["admin /config_dump?include_eds"]  # names, not values
    leaks = [f"{name} in {where}" for where, text in texts.items()
             for value, name in known.items() if value in text]
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
    print(f"checked {len(known)} secrets in {len(files)} files and {len(ADMIN_PATHS)} admin endpoints")
