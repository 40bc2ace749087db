"""ESC/POS bytes read back as the text a printer would print: code page switches (ESC t n, through the printer
profile's table) followed, every other command dropped. For tests and for reading a receipt by eye."""

from __future__ import annotations

from escpos.capabilities import get_profile
from escpos.codepages import CodePages

ESC, GS = 0x1B, 0x1D
# Bytes of parameters after ESC x / GS x, for the commands python-escpos writes (others: one byte).
_ESC_PARAMS = {ord("@"): 0, ord("2"): 0, ord("p"): 3}
_GS_PARAMS = {ord("V"): 1}


def _codecs(profile: str) -> dict[int, str]:
    table = {}
    for name, number in get_profile(profile).get_code_pages().items():
        try:
            table[int(number)] = CodePages.get_encoding_name(name).lower().replace("wpc", "cp")
        except (KeyError, ValueError):
            continue
    return table


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


def paper_text(data: bytes, profile: str = "TM-T88V") -> str:
    codecs, codec, out, i, run = _codecs(profile), "cp437", [], 0, bytearray()
    while i < len(data):
        byte = data[i]
        if byte in (ESC, GS):
            out.append(run.decode(codec, "replace"))
            run = bytearray()
            if byte == ESC and data[i + 1] == ord("t"):
                codec = codecs.get(data[i + 2], codec)
            i += _gs_length(data, i) if byte == GS else 2 + _ESC_PARAMS.get(data[i + 1], 1)
            continue
        run.append(byte)
        i += 1
    out.append(run.decode(codec, "replace"))
    return "".join(out)
