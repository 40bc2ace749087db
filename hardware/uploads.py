"""Pictures a browser sends (a camera snapshot, a photo of a *#06# screen, a bag's sticker), bounded before
anything decodes them: a 31 KB PNG can claim 16000×16000 pixels and take gigabytes once decoded.

`check_picture()` reads only the header (Pillow's lazy open): the size in bytes, the format, the pixel count,
each side and the shape are refused above their limits with a reason a person can act on. What is accepted is then
worked on within MAX_WORKING_PIXELS: every scale, crop or enlargement of an accepted picture (hardware.camera,
hardware.bar_regions, hardware.ocr) asks `scale_within()` or `fits()` before it allocates, and any error a decoder
raises on a picture is a refusal in words, never a crash: `read_bounded()` does the reading, one picture at a
time, and `decode_bounded()` is the one decoder of an uploaded picture (the camera's routes, the ID document's).
Importing this module needs no camera extra. Used by the kiosk's picture routes and HQ's sticker photo alike.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from PIL import Image, UnidentifiedImageError

from core.messages import N_, Message

log = logging.getLogger(__name__)
MAX_PICTURE_BYTES = 6 * 1024 * 1024  # a phone's JPEG; what a route accepts in all, form included, is a bit more
MAX_PICTURE_PIXELS = 12_000_000  # 12 MP: any phone camera's photo, far above what a barcode needs
MAX_PICTURE_SIDE = 8192  # a 50 MP phone's photo is 8160 px on its long side; a 12 MP one 4000 to 4600
# Photos are 4:3 or 16:9, a phone's screen at most about 21:9 (2.3:1), a box label's barcode strip cropped tight
# about 5:1 with its quiet zones. Past 8:1 a picture is no photo of a phone, screen, box or sticker: only a shape
# that makes a scale to a fixed width (OCR reads at 900 px or more) a picture of hundreds of megapixels.
MAX_ASPECT_RATIO = 8
# No working copy (scaled, enlarged, cropped, stretched) is larger than the largest picture accepted: the memory a
# request takes is bounded by what an honest 12 MP photo takes.
MAX_WORKING_PIXELS = MAX_PICTURE_PIXELS
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
    _check_shape(width, height)
    return width, height


def _check_shape(width: int, height: int) -> None:
    """No side longer than MAX_ASPECT_RATIO times the other (said first: it is what is wrong with a 50 × 80000
    picture), nor longer than a phone camera makes."""
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise PictureRefused(422, N_("The picture is %(width)s × %(height)s pixels: too long and too narrow for a "
                                     "photo (at most %(ratio)s times longer than wide). Take it again with the whole "
                                     "label or screen in view."),
                             width=width, height=height, ratio=MAX_ASPECT_RATIO)
    if max(width, height) > MAX_PICTURE_SIDE:
        raise PictureRefused(413, N_("The picture is %(width)s × %(height)s pixels: at most %(limit)s pixels a side. "
                                     "Take it again at a lower resolution."),
                             width=width, height=height, limit=MAX_PICTURE_SIDE)


def scale_within(width: int, height: int, wanted: float, max_pixels: int = MAX_WORKING_PIXELS) -> float:
    """The scale to apply to a width × height picture: `wanted`, lowered so the copy holds at most `max_pixels`.
    Asked before resizing: a bounded picture scaled to a fixed width must not become an unbounded one."""
    largest = math.sqrt(max_pixels / max(width * height, 1))
    return min(wanted, largest)


def fits(width: float, height: float, max_pixels: int = MAX_WORKING_PIXELS) -> bool:
    """Whether a working copy of width × height pixels (a crop, an enlargement) may be made."""
    return width > 0 and height > 0 and width * height <= max_pixels


# Accepted pictures are decoded and read on one thread, one at a time. One picture already spreads over the cores
# (hardware.camera's decoding workers) and Tesseract reads one at a time, so more at once would only share the cores;
# and glibc keeps the memory a thread frees in that thread's own arena: eight request threads reading a picture each
# held eight pictures' worth (612 MB measured, 224 MB on one reader thread). A picture that waits longer than
# READING_WAIT_SECONDS is refused, to be taken again, rather than queued without end.
READING_WAIT_SECONDS = 15
_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="picture-reader")
Read = TypeVar("Read")


def read_bounded(reading: Callable[[], Read]) -> Read:
    """`reading` (decoding and reading a picture check_picture accepted) done on the picture reader's thread;
    PictureRefused when it waited too long, or when a decoder raised (a 422 in words, see _refusing_errors)."""
    job = _reader.submit(_refusing_errors, reading)
    try:
        return job.result(timeout=READING_WAIT_SECONDS)
    except TimeoutError:
        job.cancel()  # not started yet: never will be; started: its answer is dropped
        raise PictureRefused(503, N_("This terminal is busy reading other pictures: take yours again in a "
                                     "moment.")) from None


# Above this many pixels a picture is decoded at half size (a JPEG decodes straight to it): a barcode needs far less.
HALVE_ABOVE_PIXELS = 4_000_000


def decode_bounded(data: bytes, reading: Callable[[object], Read], halve_above: int | None = None) -> Read:
    """The one way an uploaded picture is decoded: bounded first (`check_picture`: bytes, format, pixels, sides and
    shape from the header alone), then decoded by OpenCV and given to `reading` (a BGR array) on the picture
    reader's thread (`read_bounded`). `halve_above`: decode at half size a picture of more pixels than that (None:
    always whole, e.g. the small print of an ID document's zone). PictureRefused, never a decoder's own error."""
    width, height = check_picture(data)
    reduce = halve_above is not None and width * height > halve_above

    def decoded_then_read() -> Read:
        import cv2  # the camera extra: imported only once a picture is accepted, by the routes that have it
        import numpy as np

        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_COLOR_2 if reduce else cv2.IMREAD_COLOR)
        if image is None:
            raise PictureRefused(422, N_("This upload is not an image that can be read: send a PNG or JPEG photo."))
        return reading(image)

    return read_bounded(decoded_then_read)


def _refusing_errors(reading: Callable[[], Read]) -> Read:
    """The decoders are C libraries (OpenCV, zxing-cpp, zbar, Tesseract), each with its own errors (cv2.error,
    RuntimeError, MemoryError, ...): whatever one raises on a picture is a 422 in words, never a 500. The traceback
    is logged, so a bug of ours still shows."""
    try:
        return reading()
    except PictureRefused:
        raise
    except Exception:  # any decoder's error on a picture, whatever its type (see above)
        log.warning("a picture could not be decoded", exc_info=True)
        raise PictureRefused(422, N_("This picture could not be read: take it again, or send a PNG or JPEG "
                                     "photo.")) from None
