"""An ID document's photo read for the seller form: bounded before decoding and decoded by the one bounded decoder
(hardware.uploads.decode_bounded), read in memory on the picture reader's thread, and never written anywhere (the
register keeps the document's nature and number, not its image)."""

from __future__ import annotations

from hardware.uploads import decode_bounded


def read_document(data: bytes, locale: str) -> dict[str, str] | None:
    """The seller form's fields the document's machine-readable zone carries, or None when it cannot be read with
    every check digit right. PictureRefused for an upload that is not a picture we decode."""
    from core.identity_documents import seller_fields
    from hardware.ocr import read_mrz  # the ocr extra: the route asked whether it is usable first

    read = decode_bounded(data, read_mrz)  # whole: the zone's small print needs every pixel
    return seller_fields(read, locale) if read else None
