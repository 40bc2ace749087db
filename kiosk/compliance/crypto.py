"""Personal data encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256) with rotatable keys.

Keys come from the DATA_KEYS setting (environment or kiosk.toml) or from the DATA_KEYS_FILE (default
<data dir>/data_keys: keep it elsewhere than the database in production), created on first run and
readable by the kiosk user only; never from the repository. The first key
encrypts; every listed key decrypts, so a rotation can re-encrypt at its own pace.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.settings import keys_from, secret_file, write_private


class DataCipher:
    """Encrypts personal data for storage; also keyed-hashes it where a lookup must stay possible."""

    def __init__(self, keys: list[str], register_key: str | None = None) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        self._register_key = register_key
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        self._pseudonym_key = keys[-1].encode()

    def with_keys(self, keys: list[str]) -> DataCipher:
        """The same cipher with other data keys (a rotation): the register's own key stays."""
        return DataCipher(keys, self._register_key)

    def encrypt(self, text: str | None) -> str | None:
        return None if text is None else self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("personal data cannot be decrypted with the configured keys") from None

    def pseudonym(self, text: str) -> str:
        """A stable keyed hash (e.g. of an ID document) to find or link a seller without the plaintext.
        Keyed with the oldest configured key, so it survives rotation of the encryption key."""
        return hmac.new(self._pseudonym_key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def chain_mac(self, message: bytes) -> str:
        """The police register's keyed chain hash: HMAC-SHA256 under the register's own key (REGISTER_KEY_FILE, kept
        out of the data folder), so an edited register cannot be re-chained from a copy of that folder. Without
        one (a cipher made for a test or a tool), the key derived from the data keys, as entries before it used."""
        if self._register_key is None:
            return self.legacy_chain_mac(message)
        return hmac.new(self._register_key.encode(), message, hashlib.sha256).hexdigest()

    def legacy_chain_mac(self, message: bytes) -> str:
        """The chain hash of entries written before the register had its own key: derived from the oldest data key,
        which sat beside the database by default (those entries rest on HQ's anchors)."""
        key = hmac.new(self._pseudonym_key, b"police-register-chain", hashlib.sha256).digest()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def rotate(self, token: str | None) -> str | None:
        """Re-encrypt under the newest key (same plaintext)."""
        return None if token is None else self._fernet.rotate(token.encode()).decode()


def load_keys(setting: str, key_file: str | Path) -> list[str]:
    """The data keys: from the DATA_KEYS setting, else from `key_file` (created 0600 on first run)."""
    return keys_from(setting, key_file)


def load_register_key(key_file: str | Path) -> str:
    """The police register's chain key: a random secret in `key_file`, created 0600 (its folder 0700) on first run."""
    path = Path(key_file)
    return secret_file(path.parent, path.name)


def add_key_to_file(key_file: str | Path) -> list[str]:
    """Put a new key first in the key file; the old ones stay to decrypt until rotated."""
    keys = [Fernet.generate_key().decode(), *load_keys("", key_file)]
    write_private(Path(key_file), "\n".join(keys) + "\n")
    return keys
