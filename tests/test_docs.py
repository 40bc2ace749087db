"""The doc check (issue 30): every shell command in README.md, docs/*.md and bench/README.md is either run or
checked against the code (testing/doc_commands.py says which, and how); a command no rule recognises fails. The
settings, URLs and links named in the prose are checked too, and the sample reference files are published
through HQ's real CLI (by the docs' own commands) and its upload page."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import cli as flask_cli

from hq import create_app as create_hq_app
from testing.doc_commands import PIN, ROOT, check_settings, classify, commands, scratch_env
from tests.test_hq_receiving import HQStaff

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
SAMPLES = ROOT / "docs" / "samples"
# Samples HQ reads only through its upload page (the CLI reads CSV for blocklist and promos only), in order.
UPLOADED = {"catalog.csv": "catalog", "grid.csv": "grid", "products.csv": "products"}


def run(argv: list[str], scratch: Path, assigned: dict[str, str], where: str) -> None:
    """A launcher's --help in its own process; a flask command through Flask's real `flask` CLI in this process
    (the same commands, without starting an interpreter for each)."""
    env = scratch_env(scratch, assigned)
    if argv[0] != "flask":
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, f"{where}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        return
    unset = {k: None for k in os.environ if k.startswith(("KIOSK_", "HQ_")) and k not in env}
    result = CliRunner().invoke(flask_cli.cli, argv[1:], env={**unset, **env}, input=f"{PIN}\n{PIN}\n")
    assert result.exit_code == 0, f"{where}\n{result.output[-1500:]}\n{result.exception!r}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_in_the_docs_is_run_or_checked_against_the_code(doc: Path, tmp_path: Path):
    found = list(commands(doc))
    assert found or doc.name != "README.md", f"{doc} shows no command"
    # The docs speak of a terminal as run_kiosk.py leaves it: its database made and migrated.
    run(["flask", "--app", "kiosk", "init-db"], tmp_path, {}, "set-up")
    for command in found:
        verdict, argv = classify(command, tmp_path / "introspect")
        if verdict == "run":
            run(argv, tmp_path, command.env, str(command))


INLINE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)")


def prose(doc: Path) -> str:
    """The doc without its fenced blocks."""
    return re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)


@pytest.fixture(scope="module")
def url_rules(tmp_path_factory) -> list[tuple[str, ...]]:
    """Both apps' URL rules, split into their parts."""
    from kiosk.app import create_app as create_kiosk_app
    scratch = tmp_path_factory.mktemp("routes")
    apps = (create_kiosk_app({"DATA_DIR": str(scratch / "kiosk")}), create_hq_app({"DATA_DIR": str(scratch / "hq")}))
    return [tuple(r.rule.strip("/").split("/")) for app in apps for r in app.url_map.iter_rules()]


def is_route(path: str, rules: list[tuple[str, ...]]) -> bool:
    """/hq/payouts, /track/<code>/<token>, /customer/* against both apps' URL maps (<...> matches any part)."""
    wanted = path.split("?")[0].rstrip("*").strip("/").split("/")
    for rule in rules:
        parts = rule[:len(wanted)] if path.endswith("*") else rule
        if len(parts) == len(wanted) and all(a == b or a.startswith("<") or b.startswith("<")
                                             for a, b in zip(parts, wanted, strict=True)):
            return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_settings_urls_and_links_named_in_the_prose_exist(doc: Path, url_rules):
    text = prose(doc)
    check_settings(set(re.findall(r"\b((?:KIOSK|HQ)_[A-Z][A-Z0-9_]*[A-Z0-9])\b", text)), str(doc))
    for token in INLINE.findall(text):
        if re.fullmatch(r"/[a-z][\w./<>*-]*", token) and not token.startswith(("/tmp", "/srv", "/dev")):
            assert is_route(token, url_rules), f"{doc.relative_to(ROOT)}: `{token}` is no route of the kiosk or HQ"
    for target, anchor in LINK.findall(text):
        if target.startswith(("http://", "https://")):
            continue
        linked = (doc.parent / target) if target else doc
        assert linked.exists(), f"{doc.relative_to(ROOT)}: link to missing {target}"
        assert not anchor or anchor in anchors(linked), f"{doc.relative_to(ROOT)}: no heading #{anchor} in {target}"


def anchors(doc: Path) -> set[str]:
    """The heading anchors a Markdown page offers, as GitHub makes them."""
    if doc.suffix != ".md":
        return set()
    headings = re.findall(r"^#+ (.+)$", prose(doc), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_sample_file_is_documented_and_published_by_a_doc_command_or_the_upload_page():
    documented = prose(ROOT / "docs" / "hq.md")
    published_by_cli = {Path(w).name for c in commands(ROOT / "docs" / "hq.md") for w in c.argv
                        if w.startswith("docs/samples/")}
    for sample in SAMPLES.iterdir():
        assert f"(samples/{sample.name})" in documented, f"{sample.name} is not described in docs/hq.md"
        assert sample.name in published_by_cli | set(UPLOADED), f"{sample.name} is never published"


def test_the_csv_samples_publish_through_hqs_upload_page(tmp_path: Path):
    app = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    supervisor = HQStaff(app, "Nadia Benali", "supervisor")
    for name, kind in UPLOADED.items():
        form = {"kind": kind, "version": "2026-12-01", "currency": "EUR", "valid_from": "2026-12-01",
                "valid_until": "2027-02-28", "file": (io.BytesIO((SAMPLES / name).read_bytes()), name)}
        preview = supervisor.post("/hq/publish/preview", form, content_type="multipart/form-data")
        page = preview.get_data(as_text=True)
        assert preview.status_code == 200, f"{name}: {page[-2000:]}"
        data = re.search(r'name="data" value="([^"]*)"', page)
        assert data, f"{name}: the preview offers no confirmation"
        done = supervisor.post("/hq/publish/confirm", {"kind": kind, "version": "2026-12-01",
                                                       "data": html.unescape(data.group(1))})
        assert done.status_code == 303
    assert set(app.extensions["hq.storage"].latest_references()) == set(UPLOADED.values())
