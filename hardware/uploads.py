"""Pictures a browser sends (a camera snapshot, a photo of a *#06# screen, a bag's sticker), bounded before
anything decodes them: a 31 KB PNG can claim 16000×16000 pixels and take gigabytes once decoded.

`check_picture()` reads only the header (Pillow's lazy open): the size in bytes, the format and the pixel
count are refused above their limits with a reason a person can act on. Needs no camera extra.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from core.messages import N_, Message

MAX_PICTURE_BYTES = 6 * 1024 * 1024  # a phone's JPEG; what a route accepts in all, form included, is a bit more
MAX_PICTURE_PIXELS = 12_000_000  # 12 MP: any phone camera's photo, far above what a barcode needs
FORMATS = ("PNG", "JPEG", "WEBP")


class PictureRefused(ValueError):
    """An upload that is not decoded; `message` says why (translatable), `status` is the HTTP answer."""

    def __init__(self, status: int, msgid: str, **params: object):
        self.status, self.message = status, Message(msgid, **params)
        super().__init__(str(self.message))


def check_picture(data: bytes, max_bytes: int = MAX_PICTURE_BYTES, max_pixels: int = MAX_PICTURE_PIXELS) -> tuple:
    """(width, height) of an acceptable picture; PictureRefused otherwise. Decodes no pixel."""
    if not data:
        raise PictureRefused(422, N_("No picture was received: take the photo again."))
    if len(data) > max_bytes:
        raise PictureRefused(413, N_("The picture is too large (%(size)s MB, at most %(limit)s MB): take it again "
                                     "closer, or at a lower resolution."),
                             size=round(len(data) / 2**20, 1), limit=max_bytes // 2**20)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height, kind = picture.width, picture.height, picture.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureRefused(413, N_("The picture has too many pixels (at most %(limit)s megapixels)."),
                             limit=max_pixels // 1_000_000) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PictureRefused(422, N_("This upload is not an image that can be read: send a PNG or JPEG photo.")) \
            from None
    if kind not in FORMATS:
        raise PictureRefused(422, N_("This upload is not an image that can be read: send a PNG or JPEG photo."))
    if width * height > max_pixels or not width or not height:
        raise PictureRefused(413, N_("The picture has too many pixels (at most %(limit)s megapixels)."),
                             limit=max_pixels // 1_000_000)
    return width, height
