"""ESC/POS bytes read back as the text a printer would print: code page switches (ESC t n, through the printer
profile's table) followed, every other command dropped; `paper_lines` also says which pages each line used. For
tests and for reading a receipt by eye."""

from __future__ import annotations

from codecs import lookup

from escpos.capabilities import get_profile
from escpos.codepages import CodePages

ESC, GS = 0x1B, 0x1D
# Bytes of parameters after ESC x / GS x, for the commands python-escpos writes (others: one byte).
_ESC_PARAMS = {ord("@"): 0, ord("2"): 0, ord("p"): 3}
_GS_PARAMS = {ord("V"): 1}


def _codecs(profile: str) -> dict[int, str | tuple[str, ...]]:
    """Page number -> Python codec name, or python-escpos' own table of bytes 128-255 for a page Python has no
    codec for (TCVN-3, Vietnamese)."""
    table = {}
    for name, number in get_profile(profile).get_code_pages().items():
        try:
            codec = CodePages.get_encoding_name(name).lower().replace("wpc", "cp")
            table[int(number)] = lookup(codec).name
        except LookupError:
            if "data" in CodePages.data.get(name, {}):
                table[int(number)] = tuple("".join(CodePages.get_encoding(name)["data"]))
        except (KeyError, ValueError):
            continue
    return table


def _decode(run: bytearray, codec: str | tuple[str, ...]) -> str:
    if isinstance(codec, str):
        return run.decode(codec, "replace")
    return "".join(chr(byte) if byte < 128 else codec[byte - 128] for byte in run)


def _gs_length(data: bytes, i: int) -> int:
    """How many bytes the GS command at i takes, its parameters and data included."""
    command = data[i + 1]
    if command == ord("(") and data[i + 2] == ord("k"):  # QR: GS ( k pL pH data
        return 5 + data[i + 3] + 256 * data[i + 4]
    if command == ord("k"):  # barcode: GS k m d1..dk NUL, or GS k m n d1..dn
        kind = data[i + 2]
        return 4 + data[i + 3] if kind >= 65 else data.index(0, i + 3) - i + 1
    if command == ord("V") and data[i + 2] in (65, 66, 97, 98):
        return 4
    return 2 + _GS_PARAMS.get(command, 1)


def _runs(data: bytes, profile: str) -> list[tuple[int, str]]:
    """(code page number, text) of each run of text between two commands, decoded in the page then in force."""
    codecs, page, out, i, run = _codecs(profile), 0, [], 0, bytearray()
    while i < len(data):
        byte = data[i]
        if byte in (ESC, GS):
            out.append((page, _decode(run, codecs.get(page, "cp437"))))
            run = bytearray()
            if byte == ESC and data[i + 1] == ord("t") and data[i + 2] in codecs:
                page = data[i + 2]
            i += _gs_length(data, i) if byte == GS else 2 + _ESC_PARAMS.get(data[i + 1], 1)
            continue
        run.append(byte)
        i += 1
    out.append((page, _decode(run, codecs.get(page, "cp437"))))
    return out


def paper_text(data: bytes, profile: str = "TM-T88V") -> str:
    return "".join(text for _, text in _runs(data, profile))


def paper_lines(data: bytes, profile: str = "TM-T88V") -> list[tuple[str, set[int]]]:
    """Each printed line with the code pages its characters were printed in (ESC t between two of them makes two)."""
    lines: list[tuple[str, set[int]]] = [("", set())]
    for page, text in _runs(data, profile):
        for number, part in enumerate(text.split("\n")):
            if number:
                lines.append(("", set()))
            if part:
                lines[-1] = (lines[-1][0] + part, lines[-1][1] | {page})
    return lines
