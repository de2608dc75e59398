"""The MkDocs hook of the page check/ (mkdocs.yml ``hooks:``): the validator that runs in the browser.

At build time it adds to the site, beside docs/check/index.md:

- ``check/assets/check.js``: the page's runner (web/check/*.js), bundled by esbuild with DuckDB-WASM's
  module and Apache Arrow (npm, package-lock.json);
- ``check/assets/duckdb/``: DuckDB-WASM's EH and MVP bundles (worker and WebAssembly), served by the site
  itself, so the page asks no other host for anything;
- ``check/assets/plans/<version>.json``: the validation plans (src/mcds/plan/plans/), and ``index.json``
  naming them and the current version.

and gives the page a Content Security Policy (a meta tag, first in its head): scripts, workers,
connections and everything else from this site only, the page's own inline scripts by their hashes,
WebAssembly allowed to compile (``'wasm-unsafe-eval'``).

``npm ci`` installs what is bundled; without it (node_modules/ absent) the page is built without its
runtime and says so, and a CI build fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "web" / "check"
MODULES = ROOT / "node_modules"
DUCKDB = MODULES / "@duckdb" / "duckdb-wasm" / "dist"
ESBUILD = MODULES / ".bin" / "esbuild"
PLANS = ROOT / "src" / "mcds" / "plan" / "plans"
PAGE = "check/index.md"
ASSETS = "check/assets"
DUCKDB_FILES = ("duckdb-eh.wasm", "duckdb-browser-eh.worker.js", "duckdb-mvp.wasm", "duckdb-browser-mvp.worker.js")

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {hashes}; worker-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'none'")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)


class RuntimeMissing(RuntimeError):
    pass


def runtime_present() -> bool:
    return ESBUILD.exists() and all((DUCKDB / f).exists() for f in DUCKDB_FILES)


def bundle() -> bytes:
    """web/check/main.js and what it imports, as one ES module (esbuild)."""
    with tempfile.TemporaryDirectory(prefix="mcds-check-") as tmp:
        out = Path(tmp) / "check.js"
        result = subprocess.run([str(ESBUILD), str(SOURCE / "main.js"), "--bundle", "--format=esm", "--minify",
                                 "--target=es2022", "--legal-comments=none", f"--outfile={out}", "--log-level=error"],
                                cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeMissing(f"esbuild could not bundle web/check/main.js:\n{result.stderr}")
        return out.read_bytes()


def plan_files() -> dict[str, bytes]:
    versions = sorted((p.stem for p in PLANS.glob("*.json")), key=lambda v: tuple(int(x) for x in v.split(".")))
    from mcds import standard as std

    out = {f"{ASSETS}/plans/{v}.json": (PLANS / f"{v}.json").read_bytes() for v in versions}
    out[f"{ASSETS}/plans/index.json"] = json.dumps({"current": std.current_version(), "versions": versions}).encode()
    return out


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    if not runtime_present():
        if os.environ.get("CI"):
            raise RuntimeMissing("node_modules/ lacks DuckDB-WASM or esbuild: run `npm ci` before `mkdocs build`")
        return files
    files.append(File.generated(config, f"{ASSETS}/check.js", content=bundle()))
    for name in DUCKDB_FILES:
        files.append(File.generated(config, f"{ASSETS}/duckdb/{name}", abs_src_path=str(DUCKDB / name)))
    for rel, data in plan_files().items():
        files.append(File.generated(config, rel, content=data))
    return files


def content_security_policy(html: str) -> str:
    """The page's policy: its inline scripts allowed by their SHA-256 hashes, nothing from another host."""
    hashes = []
    for attrs, body in INLINE_SCRIPT.findall(html):
        if re.search(r"type=[\"']?application/json", attrs):
            continue  # data, not run
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return CSP.format(hashes=" ".join(dict.fromkeys(hashes)))


def on_post_page(output: str, page: Any, config: Any) -> str:
    if page.file.src_uri != PAGE:
        return output
    if not runtime_present():
        output = re.sub(r'(<div[^>]*id="mcds-check-off"[^>]*?)\s+hidden(="")?', r"\1", output, count=1)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(output)}">'
    return re.sub(r"<head>", f"<head>\n    {meta}", output, count=1)
