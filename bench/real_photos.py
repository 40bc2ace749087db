"""Camera decoding on real photos: zxing-cpp's public sample images (github.com/zxing-cpp/zxing-cpp, test/samples,
Apache-2.0) of the symbologies the camera reads, and its false-positive photos. Ours (hardware.camera.decode_frame,
the camera's path) against plain pyzbar, zxing-cpp as shipped and zxing-cpp restricted to our formats (the time
floor), in one run: reads per folder and per symbology, false reads, median ms per photo.

    .venv/bin/python -m bench.real_photos [SAMPLES]

SAMPLES: a clone of zxing-cpp (`git clone --depth 1 https://github.com/zxing-cpp/zxing-cpp`), its test/samples
folder, or a bare git directory of it, whose HEAD's samples are extracted to a scratch folder. Default: the
project machine's mirror of that repository when present.

A read is right when its text is the one in the photo's .txt file. zxing-cpp's own test (test/blackbox) takes a
read as right when its format or its symbology is the expected one: an EAN-13 and a UPC-A are one symbology
(EAN/UPC), and a UPC-A's 12 digits are the EAN-13 with a leading 0, so both are compared as 13 digits. A false
read is a read in one of our formats whose text is not the photo's (a peer as shipped also reads formats the
camera never asks for; those are left out), and any read at all on the false-positive photos.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from hardware.camera import ALL_FORMATS, SYMBOLOGY, decode_frame, to_gray

MIRROR = Path("/work/.mirror/zxing-cpp+zxing-cpp/repo")
IMAGE_SUFFIXES = (".png", ".jpg", ".webp", ".pgm", ".gif")  # what zxing-cpp's test runner reads
FOLDERS = {  # zxing-cpp's sample folders of the camera's formats: folder -> what its photos hold
    **{f"ean13-{n}": "EAN13" for n in range(1, 5)},
    **{f"upca-{n}": "UPCA" for n in range(1, 6)},
    **{f"code128-{n}": "CODE128" for n in range(1, 4)},
    **{f"qrcode-{n}": "QRCODE" for n in range(1, 7)},  # qrcode-7 is one structured-append code over 4 photos
}
NOTHING = ("falsepositives-1", "falsepositives-2")  # photos with no code of any format: every read is false
# Where a photo shows a code its .txt does not name, seen by eye. zxing-cpp's own test reads neither of the first
# two; the third is two QR codes one inside the other (its test runner: "the 'outer' symbol in 16.png").
PRINTED = {"ean13-2/23.webp": "9784872348880", "ean13-2/28.webp": "9784872348880"}  # the digits under the bars
ALSO_THERE = {"qrcode-2/16.webp": ("[外側QRコード]\r\n \r\n*ﾀﾞﾌﾞﾙQR*\r\nhttp://d-qr.net/ex/", "QRCODE")}
EAN_UPC = ("EAN13", "UPCA")
CONTROL_NAMES = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO",
                 "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS",
                 "RS", "US")
Read = tuple[str, str]  # (text, symbology)


@dataclass(frozen=True)
class Photo:
    folder: str
    path: Path
    code: Read | None  # the code its .txt names, compared(); None: a false-positive photo
    also: frozenset[Read] = frozenset()  # other codes really in it, compared(): reading them is no false read
    gs1: bool = False  # its .result.txt says GS1 content


def compared(text: str, symbology: str, gs1: bool = False) -> Read:
    """A read as zxing-cpp's test compares it. EAN-13 and UPC-A are one symbology there, and a UPC-A's 12 digits
    are the EAN-13 with a leading 0: both as 13 digits. Other texts with control characters written <NAME>
    (its EscapeNonGraphical; zxing-cpp's human-readable text already writes some so). GS1 content: its element
    strings, without the separators (<GS>) the file has or the brackets round each AI the read text has."""
    if symbology in EAN_UPC:
        digits = text.strip()
        return ("0" + digits if len(digits) == 12 else digits), "EAN/UPC"
    text = "".join(f"<{CONTROL_NAMES[ord(c)]}>" if ord(c) < 32 else "<DEL>" if c == "\x7f" else c for c in text)
    return (text.replace("<GS>", "").replace("(", "").replace(")", "") if gs1 else text), symbology


def _pyzbar(gray: np.ndarray) -> set[Read]:
    symbols = [pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.CODE128, pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.UPCA]
    return {(r.data.decode("utf-8", "replace"), r.type) for r in pyzbar.decode(gray, symbols=symbols)}


def _zxing(formats) -> Callable[[np.ndarray], set[Read]]:
    def read(gray: np.ndarray) -> set[Read]:
        found = zxingcpp.read_barcodes(gray, **({"formats": formats} if formats else {}))
        return {(r.text, SYMBOLOGY.get(r.format.name, r.format.name.upper())) for r in found}
    return read


OURS, FLOOR = "ours (decode_frame)", "zxing-cpp, our formats"
DECODERS: dict[str, Callable[[np.ndarray], set[Read]]] = {
    OURS: lambda gray: {(d.text, d.symbology) for d in decode_frame(gray)},
    "pyzbar plain": _pyzbar,
    "zxing-cpp as shipped": _zxing(None),
    FLOOR: _zxing(ALL_FORMATS),
}
OUR_SYMBOLOGIES = set(SYMBOLOGY.values())


def photos(samples: Path) -> list[Photo]:
    """Every photo of FOLDERS with a .txt beside it, then every false-positive photo."""
    found = []
    for folder, symbology in FOLDERS.items():
        for path in sorted((samples / folder).iterdir()):
            text, result = path.with_suffix(".txt"), path.with_suffix(".result.txt")
            if path.suffix not in IMAGE_SUFFIXES or not text.exists():
                continue
            gs1 = result.exists() and any(mark in result.read_text() for mark in ("GS1", "]C1", "]Q3", "]Q4"))
            named = PRINTED.get(f"{folder}/{path.name}", text.read_bytes().decode("utf-8"))
            also = {compared(*ALSO_THERE[key]) for key in [f"{folder}/{path.name}"] if key in ALSO_THERE}
            found.append(Photo(folder, path, compared(named, symbology, gs1), frozenset(also), gs1))
    return found + [Photo(folder, path, None) for folder in NOTHING for path in sorted((samples / folder).iterdir())
                    if path.suffix in IMAGE_SUFFIXES]


def _gray(path: Path) -> np.ndarray:
    """OpenCV reads the photos as the kiosk's upload does; it refuses a 1x1 WebP, which Pillow reads."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return to_gray(image) if image is not None else np.asarray(Image.open(path).convert("L"))


def score(photo: Photo, reads: set[Read]) -> tuple[bool, int]:
    """(read right, false reads) for one photo's reads in our formats."""
    got = {compared(text, symbology, photo.gs1) for text, symbology in reads if symbology in OUR_SYMBOLOGIES}
    return photo.code in got, len(got - {photo.code} - photo.also)


def run(samples: Path) -> dict:
    """Per decoder: per folder and per symbology (photos, read, false), the total, and the median ms a photo."""
    table: dict = {name: {"folders": {}, "times": []} for name in DECODERS}
    misses: dict[str, list[str]] = {name: [] for name in DECODERS}
    for photo in photos(samples):
        gray = _gray(photo.path)
        for name, decode in DECODERS.items():
            start = time.perf_counter()
            reads = decode(gray)
            table[name]["times"].append(time.perf_counter() - start)
            right, false = score(photo, reads)
            cell = table[name]["folders"].setdefault(photo.folder, {"photos": 0, "read": 0, "false": 0})
            cell["photos"] += 1
            cell["read"] += right
            cell["false"] += false
            if photo.code is not None and not right or false:
                misses[name].append(f"{photo.folder}/{photo.path.name}" + (f" false: {sorted(reads)}" if false else ""))
    return {name: _summary(row["folders"], row["times"]) | {"missed": misses[name]} for name, row in table.items()}


def _summary(folders: dict, times: list[float]) -> dict:
    def total(names) -> dict:
        cells = [folders[n] for n in names if n in folders]
        return {key: sum(c[key] for c in cells) for key in ("photos", "read", "false")}
    by_symbology = {symbology: total([f for f, s in FOLDERS.items() if s == symbology])
                    for symbology in dict.fromkeys(FOLDERS.values())}
    return {"folders": folders, "symbologies": by_symbology, "all": total(FOLDERS),
            "false_positive_photos": total(NOTHING), "median_ms": round(statistics.median(times) * 1000, 1)}


def samples_folder(given: str | None, scratch: Path) -> Path:
    """The samples folder: given (a clone, its test/samples, or a bare git directory), else the mirror."""
    source = Path(given) if given else MIRROR
    if (source / "test" / "samples").is_dir():
        return source / "test" / "samples"
    if (source / "ean13-1").is_dir():
        return source
    if not (source / "HEAD").is_file():
        sys.exit(f"{source}: no zxing-cpp samples (clone https://github.com/zxing-cpp/zxing-cpp and pass its folder)")
    return _extracted(source, scratch)


def _extracted(git_dir: Path, scratch: Path) -> Path:
    """The HEAD's sample folders we read, written under `scratch` (the repository marks test/samples
    export-ignore, so git archive leaves them out): one ls-tree, one cat-file --batch."""
    wanted = [*FOLDERS, *NOTHING]
    folders = [f"test/samples/{folder}" for folder in wanted]
    listing = subprocess.run(["git", "-C", str(git_dir), "ls-tree", "-r", "HEAD", *folders],
                             check=True, capture_output=True, text=True).stdout.splitlines()
    entries = [(line.split()[2], line.split("\t", 1)[1]) for line in listing]
    blobs = subprocess.run(["git", "-C", str(git_dir), "cat-file", "--batch"], check=True, capture_output=True,
                           input="".join(f"{sha}\n" for sha, _ in entries).encode()).stdout
    offset = 0
    for _, path in entries:
        header_end = blobs.index(b"\n", offset)
        size = int(blobs[offset:header_end].split()[2])
        target = scratch / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[header_end + 1:header_end + 1 + size])
        offset = header_end + 2 + size  # the blob, then a newline
    return scratch / "test" / "samples"


def _print(results: dict) -> None:
    columns = [*FOLDERS, *NOTHING]
    print(f"\n{'decoder':<24}" + "".join(f"{c:>18}" for c in columns))
    for name, row in results.items():
        cells = [row["folders"].get(c, {"photos": 0, "read": 0, "false": 0}) for c in columns]
        print(f"{name:<24}" + "".join(f"{c['read']:>5}/{c['photos']:<3} {c['false']:>2} false " for c in cells))
    print(f"\n{'decoder':<24}" + "".join(f"{s:>18}" for s in [*results[OURS]["symbologies"], "all", "nothing"])
          + "   median ms")
    for name, row in results.items():
        cells = [*row["symbologies"].values(), row["all"], row["false_positive_photos"]]
        print(f"{name:<24}" + "".join(f"{c['read']:>5}/{c['photos']:<3} {c['false']:>2} false " for c in cells)
              + f"{row['median_ms']:>10.1f}")
    print(f"\nours / restricted zxing-cpp, median ms: {results[OURS]['median_ms'] / results[FLOOR]['median_ms']:.2f}")
    print("ours missed or misread:", *results[OURS]["missed"], sep="\n  ")


def main(given: str | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="zxing-samples-") as scratch:
        results = run(samples_folder(given, Path(scratch)))
    _print(results)
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
