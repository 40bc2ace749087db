"""A photo as the terminal keeps it: refused before any decoding when its bytes, pixels or shape are out of bounds
(hardware.uploads), then decoded on the picture reader's thread (read_bounded), turned upright by its EXIF
orientation, scaled to at most LONG_SIDE pixels, converted to sRGB, and re-encoded as JPEG from its pixels alone:
no EXIF (GPS position, camera maker notes, serial numbers, dates), no XMP, no ICC profile or comment survives."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from core.photos import LONG_SIDE
from hardware.uploads import check_picture, read_bounded

JPEG_QUALITY = 85  # a scratch stays visible; a 2,000 px shot is 0.3 to 0.8 MB
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int
    media_type: str = "image/jpeg"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def reencode(data: bytes) -> Encoded:
    """The photo as kept; hardware.uploads.PictureRefused (with the reason, before decoding) when it is not one."""
    check_picture(data)
    return read_bounded(lambda: _reencode(data))


def _reencode(data: bytes) -> Encoded:
    with Image.open(io.BytesIO(data)) as picture:
        picture.draft("RGB", (LONG_SIDE, LONG_SIDE))  # a JPEG is decoded straight at 1/2, 1/4...: never smaller
        upright = ImageOps.exif_transpose(picture)  # the orientation goes into the pixels before the EXIF goes
        rgb = _srgb(upright, picture.info.get("icc_profile"))
    rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    bare = Image.frombytes("RGB", rgb.size, rgb.tobytes())  # pixels only: nothing of the upload's info dict
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Encoded(out.getvalue(), bare.width, bare.height)


def _srgb(picture: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB pixels in sRGB: a phone's Display P3 photo keeps its colours once its profile is dropped."""
    rgb = picture.convert("RGB")
    if not icc:
        return rgb
    try:
        return ImageCms.profileToProfile(rgb, ImageCms.ImageCmsProfile(io.BytesIO(icc)), SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):  # a profile littleCMS cannot read: the pixels as they are
        return rgb
