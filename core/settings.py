"""The one settings mechanism of the kiosk and HQ: each setting declared once (name, default, help, allowed
values), resolved from defaults < a TOML file < PREFIX_<NAME> environment variables < explicit overrides.

Environment values arrive as text and are parsed by the default's type: booleans from the usual words
("true/false", "1/0", "yes/no", "on/off"; anything else is an error, never silently True), whole numbers
with a clear error. Also the first-run secrets: generated once into the data folder, mode 0600.
"""

from __future__ import annotations

import base64
import difflib
import fcntl
import os
import secrets
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None  # for a whole number: the least value that makes sense (a count of proxies: 0)

    def coerce(self, value: Any) -> Any:
        """A value from a file or the environment, converted to the default's type, or a clear ValueError."""
        if isinstance(self.default, bool):
            return self._boolean(value)
        if isinstance(self.default, int):
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"setting {self.name} must be a whole number, got {value!r}") from None
            if self.minimum is not None and number < self.minimum:
                raise ValueError(f"setting {self.name} must be at least {self.minimum}, got {number}")
            return number
        text = str(value)
        if self.choices and text not in self.choices:
            raise ValueError(f"setting {self.name} must be one of {', '.join(self.choices)}; got {text!r}")
        return text

    def _boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(f"setting {self.name} must be true or false, got {value!r}")

    def describe(self, prefix: str) -> str:
        allowed = f" One of: {', '.join(self.choices)}." if self.choices else \
            (f" At least {self.minimum}." if self.minimum is not None else "")
        return f"{prefix + self.name}  {self.help}{allowed} (default: {self.default!r})"


def resolve(declared: Sequence[Setting], prefix: str, overrides: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None, config_file: Path | None = None) -> dict[str, Any]:
    """Every declared setting's value. An unknown name in the file or among the PREFIX_ environment variables
    (a typo: KIOSK_PRINTR_DRIVER) is an error naming the closest known setting, as is a bad value anywhere:
    ignored, the typo would leave the terminal quietly on a default (printing to a file instead of the printer).
    Overrides come from code (tests, the launcher) and may carry other Flask keys: those are passed over."""
    by_name = {s.name: s for s in declared}
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in declared}
    from_file = tomllib.loads(config_file.read_text(encoding="utf-8")) if config_file and config_file.exists() else {}
    _refuse_unknown(by_name, from_file, f"in {config_file}", "")
    from_env = {k[len(prefix):]: v for k, v in environ.items() if k.startswith(prefix)}
    _refuse_unknown(by_name, from_env, "in the environment", prefix)
    for layer in (from_file, from_env, {k: v for k, v in (overrides or {}).items() if k in by_name}):
        for name, value in layer.items():
            values[name] = by_name[name].coerce(value)
    return values


def _refuse_unknown(by_name: Mapping[str, Setting], layer: Mapping[str, Any], where: str, prefix: str) -> None:
    for name in layer:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.6)
            hint = f"; did you mean {prefix + close[0]}?" if close else f"; see the settings list ({prefix}…)"
            raise ValueError(f"unknown setting {prefix + name} {where}{hint}")


def settings_help(declared: Sequence[Setting], prefix: str) -> str:
    return "\n".join(s.describe(prefix) for s in declared)


def secret_file(folder: str | Path, name: str = "secret_key") -> str:
    """A random secret kept in `folder` (created 0700), generated on first use with mode 0600: never in
    the repository, never the same on two installations."""
    path = Path(folder) / name
    if not path.exists():
        create_once(path, secrets.token_hex(32))
    return path.read_text().strip()


def keys_from(setting: str, path: str | Path) -> list[str]:
    """Fernet keys, newest first: from the setting (comma-separated) or else from the key file at `path`,
    created on first use with one new key, mode 0600 (its folder 0700 when created)."""
    if setting.strip():
        return [k.strip() for k in setting.split(",") if k.strip()]
    path = Path(path)
    if not path.exists():
        create_once(path, base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")  # a Fernet key
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def create_once(path: Path, text: str) -> None:
    """Create `path` (mode 0600, its folder 0700) holding `text`, unless another process created it first.
    Written aside then linked into place, the file appears whole or not at all: server workers starting
    together on a fresh data folder all read the one secret that won (each writing its own would seal data
    with keys the others never see)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.link(aside, path)  # fails if it exists: the first one linked wins
    except FileExistsError:
        pass
    finally:
        os.unlink(aside)


def private_file(path: str | Path) -> Path:
    """`path` as a file only its owner can read (0600, its folder created 0700), empty if it was not there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600)
    os.chmod(path, 0o600)
    return path


@contextmanager
def folder_held(folder: str | Path) -> Iterator[None]:
    """Hold `folder` for this process alone while it sets up what lives there: server workers starting together
    on a fresh data folder each switch its SQLite file to WAL, and SQLite answers that switch "database is
    locked" at once, without waiting, when another connection is making the same switch. The folder is locked,
    not the database file: closing any other descriptor of a SQLite file would drop the locks SQLite holds on it
    in this process."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
