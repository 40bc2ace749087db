"""The receipt as a PNG (for e-mail or a screen without the HTML page): the same Receipt model the
printer and the HTML preview use, drawn with Pillow at thermal-paper width."""

from __future__ import annotations

import io
import textwrap

import qrcode
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from core.receipts import Receipt

WIDTH, MARGIN, COLUMNS = 576, 16, 42  # 80 mm paper at 180 dpi
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "DejaVuSansMono.ttf")


def _font(size: int) -> ImageFont.ImageFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _lines(receipt: Receipt) -> list[tuple[str, str]]:
    """(text, style) lines; style is title, big or normal."""
    out = [(receipt.title, "title"), *((line, "normal") for line in receipt.header), (receipt.code, "big")]
    for title, rows in receipt.sections:
        out.append((title.upper(), "normal"))
        for label, value in rows:
            gap = COLUMNS - len(label) - len(value)
            out.extend((t, "normal") for t in ([label + " " * gap + value] if gap > 0 else
                                               [*textwrap.wrap(label, COLUMNS), value.rjust(COLUMNS)]))
    out.extend((f"{label}  {value}".strip(), "normal") for label, value in receipt.totals)
    out.append((f"{receipt.total[0]}  {receipt.total[1]}", "big"))
    for line in (*receipt.tracking, *receipt.footer):
        out.extend((part, "normal") for part in (textwrap.wrap(line, COLUMNS) or [""]))
    return out


def _code128(data: str) -> Image.Image:
    """Whole pixels a module, as wide as the paper allows, 72 px tall. zxing-cpp's writer (Zint), not
    python-barcode's: python-barcode 0.16 drops a leading "99" (its issue #251), so an IMEI starting 99 would
    scan as another number."""
    try:
        symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.Code128)
    except ValueError:  # empty, or beyond Latin-1: Code128 cannot hold it; the text above it still shows
        return Image.new("RGB", (1, 1), "white")
    bars = Image.fromarray(symbol.to_image(scale=1)).convert("RGB")  # one pixel a module
    scale = max(1, min(3, (WIDTH - 2 * MARGIN) // bars.width))
    return bars.resize((bars.width * scale, 72), Image.Resampling.NEAREST)


def render_png(receipt: Receipt) -> bytes:
    qr = qrcode.make(receipt.code, box_size=5, border=2).convert("RGB")
    bars = _code128(receipt.barcode)
    lines = _lines(receipt)
    fonts = {"normal": _font(18), "big": _font(28), "title": _font(26)}
    height = MARGIN * 2 + sum(36 if style != "normal" else 24 for _, style in lines) + qr.height + bars.height + 20
    image = Image.new("RGB", (WIDTH, height), "white")
    draw, y = ImageDraw.Draw(image), MARGIN
    for index, (text, style) in enumerate(lines):
        draw.text((MARGIN, y), text, fill="black", font=fonts[style])
        y += 36 if style != "normal" else 24
        if index == len(receipt.header) + 1:  # right after the code: its QR
            image.paste(qr, ((WIDTH - qr.width) // 2, y))
            y += qr.height + 10
    image.paste(bars, ((WIDTH - bars.width) // 2, y))
    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    return png.getvalue()
