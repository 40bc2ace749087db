"""The commands the docs show (README.md, docs/*.md, bench/README.md), for tests/test_docs.py: found in fenced
shell blocks, then classified. A command is either run (the safe ones: --help, CLI commands on a scratch data
folder, publishing the sample files) or checked against the code: a real script, module, console command, option,
choice and setting. A command no rule recognises is an error, so the docs cannot drift from the code."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import click
from flask import cli as flask_cli

from hq.settings import SETTINGS as HQ_SETTINGS
from kiosk.settings import SETTINGS as KIOSK_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SHELL_FENCES = {"bash", "sh", "shell", "console"}
SETTING_NAMES = {"KIOSK_": {s.name for s in KIOSK_SETTINGS}, "HQ_": {s.name for s in HQ_SETTINGS}}
ENV_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z_]{2,}|X{4}-X{4}-X{4}|…)$")  # CODE, STORE_ID: the reader fills it in
PIN = "482913"
HQ_APP = "hq"  # HQ's package: `python -m` and `flask --app` name it
# Flask CLI commands that are safe to run on a scratch data folder (the docs' own arguments, in the docs' order).
RUNNABLE = {("kiosk", "init-db"), ("kiosk", "seed"), ("kiosk", "routes"), ("kiosk", "sync", "status"),
            ("kiosk", "register", "verify"), ("kiosk", "register", "export"), ("kiosk", "privacy", "export"),
            ("kiosk", "privacy", "rectify"), ("kiosk", "privacy", "erase"), ("kiosk", "privacy", "request"),
            ("kiosk", "privacy", "requests"), ("kiosk", "privacy", "answered"), ("kiosk", "privacy", "purge"),
            ("kiosk", "privacy", "rotate-key"), (HQ_APP, "stores", "add"), (HQ_APP, "stores", "list"),
            (HQ_APP, "staff", "add"), (HQ_APP, "publish"), (HQ_APP, "purge")}
# Tools that are not the project's: named on purpose, each with why it is in a doc.
EXTERNAL = {("sqlite3",): "reads a terminal's database by hand (go-live check)",
            ("sudo", "apt", "install", "haproxy"): "the fleet benchmark's two-node run",
            ("apt", "install", "sqlite3"): "the go-live check's reader"}



@dataclass
class Command:
    doc: Path
    line: int
    text: str
    env: dict[str, str] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}: {self.text}"


def commands(doc: Path) -> Iterator[Command]:
    """Each command of the doc's fenced shell blocks: continuation lines joined, comments and a trailing & gone;
    in a `console` block only the `$ ` lines."""
    fence, pending, start = None, "", 0
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip()
            continue
        if fence not in SHELL_FENCES:
            continue
        if fence == "console":
            if not stripped.startswith("$ "):
                continue
            stripped = stripped[2:]
        start = start or number
        text = f"{pending} {stripped}".strip()
        if text.endswith("\\"):
            pending = text[:-1]
            continue
        pending, first = "", start
        start = 0
        words = [w for w in shlex.split(text, comments=True) if w != "&"]
        if words:
            env = {}
            while words and (m := ENV_ASSIGNMENT.match(words[0])):
                env[m.group(1)] = m.group(2)
                words.pop(0)
            yield Command(doc, first, text.split("  #")[0].strip(), env, words)


def check_settings(names: set[str], where: str) -> None:
    for name in names:
        prefix = next((p for p in SETTING_NAMES if name.startswith(p)), None)
        assert prefix and name[len(prefix):] in SETTING_NAMES[prefix], f"{where}: {name} is no setting"


@cache
def argparse_options(*launcher: str) -> frozenset[str]:
    """The options a launcher's --help lists (argparse)."""
    done = subprocess.run([sys.executable, *launcher, "--help"], cwd=ROOT, capture_output=True, text=True,
                          check=True, env=scratch_env(Path("/nonexistent")))
    return frozenset(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", done.stdout.split("Settings")[0]))


@cache
def flask_commands(app_name: str, scratch: str) -> click.Group:
    """The app's CLI as `flask --app APP` sees it: its own commands and Flask's."""
    module = importlib.import_module(app_name)
    app = module.create_app({"DATA_DIR": scratch})
    group = click.Group(commands={**app.cli.commands, "routes": flask_cli.routes_command,
                                  "run": flask_cli.run_command, "shell": flask_cli.shell_command})
    return group


def resolve_flask(app_name: str, words: list[str], scratch: Path) -> tuple[tuple[str, ...], click.Command, list]:
    command: click.Command = flask_commands(app_name, str(scratch))
    path: list[str] = [app_name]
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.commands.get(words[0])
        assert sub is not None, f"flask --app {app_name}: no command {' '.join(path[1:] + words[:1])}"
        command, path, words = sub, [*path, words[0]], words[1:]
    return tuple(path), command, words


def check_click_arguments(command: click.Command, words: list[str], where: str) -> None:
    """Every option is the command's, every choice one it allows, required options given, no extra argument."""
    by_opt = {o: p for p in command.params for o in (*p.opts, *p.secondary_opts) if isinstance(p, click.Option)}
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    given, positional = set(), []
    while words:
        word = words.pop(0)
        if word == "--help":
            continue
        if not word.startswith("-"):
            positional.append(word)
            continue
        name, _, inline = word.partition("=")
        param = by_opt.get(name)
        assert param is not None, f"{where}: {name} is no option of this command"
        given.add(param.name)
        if not (param.is_flag or param.count):
            value = inline or words.pop(0)
            check_choice(param, value, where)
    for param, value in zip(arguments, positional, strict=False):
        check_choice(param, value, where)
    assert len(positional) <= len(arguments) or any(a.nargs == -1 for a in arguments), \
        f"{where}: more arguments than the command takes"
    if "--help" not in where:
        missing = [p.name for p in command.params if isinstance(p, click.Option) and p.required
                   and p.name not in given and not p.prompt]
        assert not missing, f"{where}: required option(s) {missing} not given"


def check_choice(param: click.Parameter, value: str, where: str) -> None:
    if isinstance(param.type, click.Choice) and not PLACEHOLDER.match(value):
        assert value in param.type.choices, f"{where}: {value!r} is not one of {param.type.choices}"


def check_launcher_options(launcher: tuple[str, ...], words: list[str], where: str) -> None:
    allowed = argparse_options(*launcher)
    for word in words:
        if word.startswith("-"):
            assert word.split("=")[0] in allowed, f"{where}: {word} is no option of {' '.join(launcher)}"


def check_module_arguments(module: str, words: list[str], where: str) -> None:
    """A `python -m` module that exists and runs as a program; each word argument is one its source names, a
    number only where it reads sys.argv."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"{where}: no module {module}"
    main = Path(spec.origin).with_name("__main__.py") if spec.submodule_search_locations else Path(spec.origin)
    source = main.read_text(encoding="utf-8")
    assert "__main__" in source or main.name == "__main__.py", f"{where}: {module} is not runnable"
    for word in words:
        if word.isdigit():
            assert "sys.argv" in source, f"{where}: {module} takes no number"
        else:
            assert re.search(rf"\b{re.escape(word)}\b", source), f"{where}: {module} knows no {word!r}"


def classify(command: Command, scratch: Path) -> tuple[str, list[str] | None]:
    """("run", argv) for a command to run, ("checked", None) for one checked against the code; anything else
    fails here, naming the command."""
    where, words = str(command), list(command.argv)
    check_settings(set(command.env), where)
    head = words[0]
    if head == "bash" and len(words) > 1 and words[1].startswith("scripts/"):
        check_script(words[1], words[2:], where)
        return "checked", None
    if head in (".venv/bin/python", "python"):
        return classify_python(words[1:], where, scratch)
    if head in (".venv/bin/flask", "flask"):
        assert words[1] == "--app", f"{where}: flask without --app"
        path, cmd, rest = resolve_flask(words[2], words[3:], scratch)
        check_click_arguments(cmd, list(rest), where)
        placeholders = any(PLACEHOLDER.match(w) for w in rest)
        runnable = "--help" in rest or (path in RUNNABLE and not placeholders)
        return ("run", ["flask", *words[1:]]) if runnable else ("checked", None)
    if head == "gunicorn":
        assert (VENV_BIN / "gunicorn").exists(), f"{where}: gunicorn is not installed"
        module, _, attr = words[-1].partition(":")
        assert hasattr(importlib.import_module(module), attr.removesuffix("()")), f"{where}: no {words[-1]}"
        return "checked", None
    if head.startswith(".venv/bin/"):
        assert (ROOT / head).exists(), f"{where}: no console command {head}"
        return "checked", None
    if any(tuple(words[:len(key)]) == key for key in EXTERNAL):
        return "checked", None
    raise AssertionError(f"{where}: no rule recognises this command; add one to testing/doc_commands.py (run it "
                         "or check it)")


def check_script(name: str, args: list[str], where: str) -> None:
    """The README's two commands: kiosk.sh passes its arguments to run_kiosk.py, test.sh to pytest after --quick."""
    script = ROOT / name
    assert script.is_file(), f"{where}: no script {name}"
    if script.name == "kiosk.sh":
        check_launcher_options(("run_kiosk.py",), args, where)
    elif script.name == "test.sh":
        assert args[:1] != ["--quick"] or "--quick" in script.read_text(), f"{where}: test.sh has no --quick"
        assert all(w in ("-k", "-x", "-q") or not w.startswith("-") for w in args if w != "--quick"), where
    else:
        raise AssertionError(f"{where}: a script no rule knows")


def classify_python(words: list[str], where: str, scratch: Path) -> tuple[str, list[str] | None]:
    if words[0] == "run_kiosk.py":
        check_launcher_options(("run_kiosk.py",), words[1:], where)
        return ("run", [sys.executable, *words]) if words[1:] == ["--help"] else ("checked", None)
    assert words[0] == "-m", f"{where}: python runs a module (-m) or run_kiosk.py"
    module, args = words[1], words[2:]
    if module == HQ_APP:
        check_launcher_options(("-m", HQ_APP), args, where)
        return ("run", [sys.executable, *words]) if args == ["--help"] else ("checked", None)
    check_module_arguments(module, args, where)
    return "checked", None


def scratch_env(scratch: Path, assigned: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its KIOSK_/HQ_ settings, the doc's assignments, and the data folders
    in the scratch folder whatever the doc says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "HQ_"))}
    return {**env, **(assigned or {}), "KIOSK_DATA_DIR": str(scratch / "kiosk"), "HQ_DATA_DIR": str(scratch / "hq")}
