"""An ID document's photo read for the seller form: bounded before decoding (hardware.uploads), read in memory on
the picture reader's thread, and never written anywhere (the register keeps the document's nature and number, not
its image)."""

from __future__ import annotations

from core.messages import N_
from hardware.uploads import PictureRefused, check_picture, read_bounded


def read_document(data: bytes, locale: str) -> dict[str, str] | None:
    """The seller form's fields the document's machine-readable zone carries, or None when it cannot be read with
    every check digit right. PictureRefused for an upload that is not a picture we decode."""
    check_picture(data)  # bytes, format, pixels and shape from the header alone, before any decoding

    def reading():
        import cv2
        import numpy as np

        from hardware.ocr import read_mrz

        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise PictureRefused(422, N_("This upload is not an image that can be read: send a PNG or JPEG photo."))
        return read_mrz(image)

    read = read_bounded(reading)
    from core.identity_documents import seller_fields

    return seller_fields(read, locale) if read else None
