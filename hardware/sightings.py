"""What zxing-cpp reads, and where (a sighting), and the vote that makes one answer per printed code out of
a frame's sightings (hardware.camera reads a frame several ways)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import zxingcpp

LINEAR = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.UPCA]
ALL_FORMATS = [*LINEAR, zxingcpp.BarcodeFormat.QRCode]
SYMBOLOGY = {"Code128": "CODE128", "QRCode": "QRCODE", "EAN13": "EAN13", "UPCA": "UPCA"}
EAN_UPC = ("EAN13", "UPCA")
EAN_SPAN = 0.6  # across the scan lines, in the code's lengths: one EAN-13's sightings (_same_place)


@dataclass(frozen=True)
class Decoded:
    text: str
    symbology: str
    # Where in the picture (its centre, frame pixels): for ordering only, not part of what the code is.
    centre: tuple[float, float] = field(default=(0.0, 0.0), compare=False)


@dataclass(frozen=True)
class Sighting:
    """One read of a code, and where in the frame: the corners zxing-cpp reported (top left, top right, bottom
    right, bottom left; for a 1D code, left to right is the way its scan lines ran)."""
    text: str
    symbology: str
    corners: np.ndarray  # 4 x 2, frame pixels
    first: bool = False  # read by the frame's first pass, the one plain zxing-cpp makes


def sightings(gray: np.ndarray, formats, try_rotate: bool, to_frame=None,
              binarizer=zxingcpp.Binarizer.LocalAverage, try_downscale: bool = True,
              first: bool = False) -> list[Sighting]:
    """What zxing-cpp reads in `gray`; `to_frame` maps the image's points back to the frame's."""
    out = []
    for result in zxingcpp.read_barcodes(gray, formats=formats, try_rotate=try_rotate, try_downscale=try_downscale,
                                         binarizer=binarizer):
        if result.valid and result.text:
            p = result.position
            corners = np.float32([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)])
            corners = to_frame(corners) if to_frame else corners
            out.append(Sighting(result.text, SYMBOLOGY.get(result.format.name, result.format.name.upper()), corners,
                                first))
    return out


def scan_line(sighting: Sighting) -> np.ndarray:
    """The way its scan lines ran across the code, from its left end to its right end (frame pixels)."""
    return sighting.corners[[1, 2]].mean(axis=0) - sighting.corners[[0, 3]].mean(axis=0)


def _same_place(a: Sighting, b: Sighting) -> bool:
    """Two sightings of one printed code: read the same way (within 15 degrees), overlapping along the scan
    lines by half the shorter one at least, and across them at all. Two codes stacked a few pixels apart (a
    dual-SIM box's two IMEIs) are two places. An EAN-13 or UPC-A may be up to EAN_SPAN of its length apart
    across: one check digit lets a misread through, and its misreads come from scan lines near the ends of its
    bars (glare, a worn edge), away from the lines that read it right. Its bars are about 0.7 of its length
    tall, and no label stacks two of them closer than the digits printed under the upper one."""
    ends = (scan_line(a), scan_line(b))
    lengths = [float(np.hypot(*e)) for e in ends]
    if min(lengths) < 1 or abs(float(np.dot(*ends))) < np.cos(np.radians(15)) * lengths[0] * lengths[1]:
        return False
    along = ends[0] / lengths[0]
    across = np.float32([-along[1], along[0]])

    def overlap(axis: np.ndarray) -> float:
        pa, pb = a.corners @ axis, b.corners @ axis
        return min(pa.max(), pb.max()) - max(pa.min(), pb.min())
    apart = EAN_SPAN * max(lengths) if a.symbology in EAN_UPC else 1.0
    return overlap(along) >= 0.5 * min(lengths) and overlap(across) >= -apart


def agreed(seen: list[Sighting]) -> list[Decoded]:
    """One answer per printed code. QR codes carry error correction: taken as read. A 1D code has one check
    digit at most, and a blurred one can be read as another number whose check still fits, typically from a
    few scan lines or one angle: its sightings in one place vote, and a text is kept only when it has more
    votes there than any other. An EAN-13 or UPC-A (a check digit that one misread in ten passes) also needs
    two votes, or the first pass's read: a region is read up to ten times, and one read alone may be the
    misread those tries let through."""
    found = {(s.text, s.symbology): _decoded(s.text, s.symbology, [s]) for s in seen if s.symbology == "QRCODE"}
    places: list[list[Sighting]] = []
    for sighting in (s for s in seen if s.symbology != "QRCODE"):
        near = [place for place in places if any(
            o.symbology == sighting.symbology and _same_place(o, sighting) for o in place)]
        merged = [sighting] + [s for place in near for s in place]
        places = [place for place in places if all(place is not n for n in near)] + [merged]
    for place in places:
        for symbology in {s.symbology for s in place}:
            votes = Counter(s.text for s in place if s.symbology == symbology).most_common(2)
            (text, count), first = votes[0], any(s.first and s.text == votes[0][0] for s in place)
            if (len(votes) == 1 or count > votes[1][1]) and (count > 1 or first or symbology not in EAN_UPC):
                found[(text, symbology)] = _decoded(text, symbology, [
                    s for s in place if s.symbology == symbology and s.text == text])
    # Top to bottom: a dual-SIM box prints IMEI 1 above IMEI 2 (turned up to 45 degrees either way, still higher).
    return sorted(found.values(), key=lambda d: (d.centre[1], d.centre[0]))


def _decoded(text: str, symbology: str, seen: list[Sighting]) -> Decoded:
    centre = np.mean([s.corners.mean(axis=0) for s in seen], axis=0)
    return Decoded(text, symbology, (float(centre[0]), float(centre[1])))
