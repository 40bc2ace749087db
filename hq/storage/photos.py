"""Where HQ keeps the stores' photo files: one interface (PhotoStore), a filesystem implementation.

A file is named by the SHA-256 of its bytes and written in chunks, each at the offset the store says it starts at
(a resumable upload); it becomes visible only once whole and its SHA-256 checked (`finish`), and a file already
held is never written again. The layout fits an S3-compatible object store as well: a key per file
(photos/<sha256>), the partial upload a multipart upload, `finish` its completion after the check. The database
(hq_photos, hq_photo_files) says which store sent what; this only holds bytes."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol


class OffsetMismatch(ValueError):
    """A chunk that does not start where the upload stands: `received` says where it does."""

    def __init__(self, received: int) -> None:
        super().__init__(f"the upload stands at byte {received}")
        self.received = received


class PhotoStore(Protocol):
    def held(self, sha256: str) -> tuple[int, bool]:
        """(bytes received so far, whether the whole file is held and checked)."""

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        """Write `data` at `offset` of the upload (OffsetMismatch unless the upload stands there); the bytes
        received after it."""

    def finish(self, sha256: str) -> bool:
        """Publish the upload if its SHA-256 is `sha256`; otherwise discard it (the store starts again). False
        when it was discarded."""

    def read(self, sha256: str) -> bytes | None:
        """A whole, checked file; None when not held."""

    def delete(self, sha256: str) -> None:
        """The file and any upload of it, gone (erasure)."""

    def uploading(self) -> list[str]:
        """The files whose upload is under way (not whole yet)."""


class FilesystemPhotoStore:
    """<root>/<sha[:2]>/<sha>: whole, checked files (0600, folders 0700); <root>/uploads/<sha>.part: uploads under
    way, each appended under an exclusive lock (two requests for one file never interleave their writes). On one
    machine, or on a shared filesystem whose locks hold across machines."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.uploads = self.root / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)

    def _final(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def _part(self, sha256: str) -> Path:
        return self.uploads / f"{sha256}.part"

    @contextmanager
    def _locked(self, sha256: str) -> Iterator[None]:
        fd = os.open(self.uploads / f"lock-{sha256[:2]}", os.O_RDWR | os.O_CREAT, 0o600)  # 256 at most, kept
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def held(self, sha256: str) -> tuple[int, bool]:
        final = self._final(sha256)
        if final.exists():
            return final.stat().st_size, True
        part = self._part(sha256)
        return (part.stat().st_size if part.exists() else 0), False

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        with self._locked(sha256):
            received, whole = self.held(sha256)
            if whole:
                return received
            if offset != received:
                raise OffsetMismatch(received)
            with open(self._part(sha256), "ab", opener=_private) as part:
                part.write(data)
                part.flush()
                os.fsync(part.fileno())
            return received + len(data)

    def finish(self, sha256: str) -> bool:
        with self._locked(sha256):
            if self._final(sha256).exists():
                return True
            part = self._part(sha256)
            if not part.exists() or hashlib.sha256(part.read_bytes()).hexdigest() != sha256:
                part.unlink(missing_ok=True)
                return False
            self._final(sha256).parent.mkdir(exist_ok=True, mode=0o700)
            os.replace(part, self._final(sha256))  # whole or not at all
        return True

    def read(self, sha256: str) -> bytes | None:
        try:
            return self._final(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, sha256: str) -> None:
        with self._locked(sha256):
            self._final(sha256).unlink(missing_ok=True)
            self._part(sha256).unlink(missing_ok=True)

    def uploading(self) -> list[str]:
        return [part.name.removesuffix(".part") for part in self.uploads.glob("*.part")]


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)
