"""The layout's rules that import-linter cannot see: one home for every code format, record kind and trade-in
state, and a docstring on every package saying what it holds and may import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from core.protocol import RECORD_KINDS
from core.states import TRANSITIONS

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "hardware", "kiosk", "sync", "hq", "testing", "bench")
APPS = PRODUCT[:5]
CODE_PREFIXES = ("TI-", "E-", "V-", "S-", "R-", "SH-", "BAG:")


def _modules(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_lint_imports_keeps_every_layering_contract():
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_every_package_says_what_it_holds():
    for package in [p.parent for name in PRODUCT + ("tests",) for p in (ROOT / name).rglob("__init__.py")]:
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 60, f"{package.relative_to(ROOT)} has no docstring saying what it holds"


def test_record_kinds_are_spelled_only_in_the_protocol():
    for path, tree in _modules(*APPS):
        if path == ROOT / "core" / "protocol.py":
            continue
        literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not literals & set(RECORD_KINDS), f"{path.relative_to(ROOT)} spells a record kind"


def test_codes_are_minted_and_recognised_only_in_the_registry():
    for path, tree in _modules(*APPS):
        if path == ROOT / "core" / "codes.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("compile", "choice"):
                text = ast.unparse(node)
                assert not any(prefix in text for prefix in CODE_PREFIXES) and "secrets" not in text, \
                    f"{path.relative_to(ROOT)} mints or recognises a code: {text}"


def test_trade_in_states_are_declared_only_in_the_state_machine():
    states = set(TRANSITIONS)
    for path, tree in _modules(*APPS):
        if path == ROOT / "core" / "states.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) >= 2:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                assert not (len(values) == len(node.elts) and set(values) <= states), \
                    f"{path.relative_to(ROOT)}:{node.lineno} re-declares trade-in states {values}"


def test_web_layers_run_no_sql_and_open_no_transaction():
    """Both apps' web layers (kiosk/views and kiosk/web, hq/web) ask services; a service owns its transaction
    (import-linter cannot see a method call on a storage object handed around, so the text is read)."""
    for path, _tree in _modules("kiosk/views", "kiosk/web", "hq/web"):
        text = path.read_text(encoding="utf-8")
        for sign in ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", ".transaction(", ".read() as", "write_transaction",
                     "db.execute("):
            assert sign not in text, f"{path.relative_to(ROOT)} holds {sign.strip()!r}: move it into a service"


def test_one_probe_per_optional_part():
    """The camera and OCR extras are asked through their own available(), never by a caller's try: import."""
    for path, tree in _modules("kiosk", "hq"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError"
                                                 for h in node.handlers):
                raise AssertionError(f"{path.relative_to(ROOT)}:{node.lineno} probes an import itself")
