"""Where the 1D barcodes of a camera frame probably are, and how they lie: the way the code runs (a scan line
must follow it to cross every bar) and the way its bars run. The two are perpendicular on a flat label seen
straight on; perspective and a bent box shear them apart.

The frame's structure tensor, averaged over small cells, says how strongly and at which angle edges line up
in each cell; cells where many parallel edges line up are grouped into regions."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hardware.uploads import scale_within

ANALYSIS_WIDTH = 320  # the tensor is averaged down to this width: fast, and noise averages out
MAX_REGIONS = 4  # a box label holds two 1D codes; two labels in view, four
_CLOSING = np.ones((5, 5), np.uint8)  # in analysis cells: the gaps a wide bar or space leaves are closed
# The share of the frame's strongest tenth of edges that line up, from which it is taken as a close-up: 0.4-0.9
# on the camera's frames (bench.decode), 0.9 on most photos of a box's EAN-13 or UPC-A (bench.real_photos).
CLOSE_UP_SHARE = 0.7
Vector = tuple[float, float]


@dataclass(frozen=True)
class BarRegion:
    """In full-size frame pixels."""
    axis: Vector  # unit vector the way the code runs
    bars: Vector  # unit vector the way its bars run
    centre: Vector
    length: float  # extent along the axis
    height: float  # extent along the bars

    def sampling(self, width: int, height: int, turn_degrees: float) -> np.ndarray:
        """The 2x3 matrix taking pixel (u, v) of a width x height picture of the region, bars standing
        vertical, to the frame; the bars' direction turned by `turn_degrees` (perspective fans them)."""
        turn = np.radians(turn_degrees)
        bars = np.float32([self.bars[0] * np.cos(turn) - self.bars[1] * np.sin(turn),
                           self.bars[0] * np.sin(turn) + self.bars[1] * np.cos(turn)])
        axis = np.float32(self.axis)
        origin = np.float32(self.centre) - width / 2 * axis - height / 2 * bars
        return np.float32([[axis[0], bars[0], origin[0]], [axis[1], bars[1], origin[1]]])


def bar_regions(gray: np.ndarray, max_regions: int = MAX_REGIONS) -> list[BarRegion]:
    """The regions where many parallel edges line up, largest first."""
    # Within the working budget: a frame narrower than the analysis width is enlarged, and a tall one must not
    # become hundreds of megapixels of float32 (hardware.uploads).
    scale = scale_within(gray.shape[1], gray.shape[0], ANALYSIS_WIDTH / gray.shape[1])
    # Gradients at full size (bars are only 2-3 px wide), their products averaged down. Three full-size arrays,
    # not six: each is fresh memory the system must map in, which took as long as the arithmetic. The gradients
    # as 16-bit integers (both 3x3 Sobel in one pass), multiplied straight into 32-bit floats: the same
    # products in a third of the time of float gradients.
    gx, gy = cv2.spatialGradient(gray)
    product = np.empty(gray.shape, np.float32)
    jxx, jyy, jxy = (cv2.boxFilter(cv2.resize(cv2.multiply(a, b, dst=product, dtype=cv2.CV_32F), None, fx=scale,
                                              fy=scale, interpolation=cv2.INTER_AREA), -1, (5, 5))
                     for a, b in ((gx, gx), (gy, gy), (gx, gy)))
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (energy + 1e-6)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(_bar_cells(energy, coherence > 0.75))
    strength = energy * coherence
    parts = []
    for label in np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:2 * max_regions] + 1:
        left, top, width, height, area = stats[label]
        if area < 40:
            continue
        box = np.s_[top:top + height, left:left + width]  # the component's bounding box: a few % of the frame
        inside = labels[box] == label
        theta = _dominant_angle(np.arctan2((2 * jxy[box])[inside], (jxx[box] - jyy[box])[inside]) / 2,
                                strength[box][inside])
        ys, xs = np.nonzero(inside)
        normal = (float(np.cos(theta)), float(np.sin(theta)))
        parts.append(((xs + left + 0.5) / scale, (ys + top + 0.5) / scale, normal))
    regions = [_region(xs, ys, normal, 1 / scale) for xs, ys, normal in _joined(parts)]
    return sorted(regions, key=lambda r: -r.length * r.height)[:max_regions]


def _bar_cells(energy: np.ndarray, coherent: np.ndarray) -> np.ndarray:
    """The cells where parallel edges line up strongly: the frame's strongest tenth. When nearly all of that
    tenth lines up (CLOSE_UP_SHARE or more), parallel edges fill the picture: a code photographed close, larger
    than a tenth of it, whose strongest tenth alone came in pieces shorter than the code. There the coherent
    cells touching the strong ones are added down to a fifth of the strongest. In a wider view the strongest
    tenth also holds text, edges and texture, and it is taken as it is: grown, clutter became larger regions
    to read, and no code more was read (bench.decode)."""
    tenth, hundredth = np.percentile(energy, [90, 99])
    strong = coherent & (energy > tenth)
    if strong.mean() < 0.1 * CLOSE_UP_SHARE:
        return cv2.morphologyEx(strong.astype(np.uint8), cv2.MORPH_CLOSE, _CLOSING)
    weaker = cv2.morphologyEx((coherent & (energy > 0.2 * hundredth)).astype(np.uint8), cv2.MORPH_CLOSE, _CLOSING)
    count, pieces = cv2.connectedComponents(weaker)
    touching = np.zeros(count, bool)
    touching[pieces[strong]] = True
    touching[0] = False  # the background
    return cv2.morphologyEx((touching[pieces] | strong).astype(np.uint8), cv2.MORPH_CLOSE, _CLOSING)


def _dominant_angle(angles: np.ndarray, weights: np.ndarray) -> float:
    """The most common edge-normal angle of a region's cells (radians, modulo 180 degrees), weighted by how
    strong and clean their edges are: a mode, not a mean, so printed text touching the code does not pull
    it askew."""
    bins = 90  # 2 degrees each
    votes = np.bincount(((angles + np.pi / 2) / np.pi * bins).astype(int) % bins, weights, bins)
    votes = votes + np.roll(votes, 1) + np.roll(votes, -1)  # a peak may straddle two bins
    peak = (int(np.argmax(votes)) + 0.5) / bins * np.pi - np.pi / 2
    near = np.abs((angles - peak + np.pi / 2) % np.pi - np.pi / 2) < np.radians(4)
    # Refined within the peak: the weighted mean of the doubled angles of the cells that voted for it.
    sin, cos = (weights * np.sin(2 * angles))[near].sum(), (weights * np.cos(2 * angles))[near].sum()
    return float(0.5 * np.arctan2(sin, cos))


def _joined(parts: list) -> list:
    """Glare or a fold splits one code's bars into pieces: pieces with the same bar angle, one after the
    other across the bars, are one region."""
    joined: list = []
    for xs, ys, normal in parts:
        along = _perpendicular(normal)
        for index, (other_xs, other_ys, other_normal) in enumerate(joined):
            if abs(np.dot(normal, other_normal)) < np.cos(np.radians(6)):
                continue
            offset = abs(np.dot(along, (xs.mean() - other_xs.mean(), ys.mean() - other_ys.mean())))
            heights = (np.ptp(x * along[0] + y * along[1]) for x, y in ((xs, ys), (other_xs, other_ys)))
            if offset < max(heights) / 2:
                joined[index] = (np.concatenate([other_xs, xs]), np.concatenate([other_ys, ys]), other_normal)
                break
        else:
            joined.append((xs, ys, normal))
    return joined


def _region(xs: np.ndarray, ys: np.ndarray, normal: Vector, cell: float) -> BarRegion:
    """The code runs along the region's long side when that side is within 40 degrees of the bars' normal
    (sheared by perspective), else along the normal itself; measured in that skewed frame."""
    bars = _perpendicular(normal)
    axis = normal
    spread = np.cov(np.vstack([xs, ys])) if len(xs) > 2 else np.eye(2)
    values, vectors = np.linalg.eigh(spread)
    long_side = vectors[:, 1] * (1 if np.dot(vectors[:, 1], normal) >= 0 else -1)
    if values[1] > 2.25 * max(values[0], 1e-6) and np.dot(long_side, normal) > np.cos(np.radians(40)):
        axis = (float(long_side[0]), float(long_side[1]))
    # Coordinates in the (axis, bars) frame: solve [axis bars] (u, v) = (x, y).
    u, v = np.linalg.solve(np.array([axis, bars]).T, np.vstack([xs, ys]))
    mid_u, mid_v = (u.max() + u.min()) / 2, (v.max() + v.min()) / 2
    centre = (mid_u * axis[0] + mid_v * bars[0], mid_u * axis[1] + mid_v * bars[1])
    return BarRegion(axis, bars, centre, float(np.ptp(u)) + cell, float(np.ptp(v)) + cell)


def _perpendicular(vector: Vector) -> Vector:
    return (-vector[1], vector[0])
