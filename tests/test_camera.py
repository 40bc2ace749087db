"""hardware.camera on seeded synthetic frames (bench/frames.py makes them; bench/decode.py measures)."""

from __future__ import annotations

import numpy as np

from bench.frames import make_frame
from hardware.camera import Decoded, Deduper, decode_frame, to_gray


def test_easy_and_medium_frames_are_read_exactly():
    rng = np.random.default_rng(7)
    for tier in ("easy", "easy", "easy", "medium", "medium"):
        frame = make_frame(rng, tier)
        got = {(d.text, d.symbology) for d in decode_frame(frame.image)}
        assert got == frame.expected, tier


def test_grayscale_input_and_a_label_turned_by_35_degrees():
    rng = np.random.default_rng(11)
    frame = make_frame(rng, "hard")
    got = {(d.text, d.symbology) for d in decode_frame(to_gray(frame.image))}
    assert got <= frame.expected and ("QRCODE" in {s for _, s in got})  # never a false read


def test_repeated_reads_are_reported_once_per_window():
    dedupe = Deduper(window=3.0)
    code = Decoded("TI-7K4Q-2M9C", "QRCODE")
    assert dedupe.fresh([code], now=0.0) == [code]
    assert dedupe.fresh([code], now=1.0) == []  # the same label still in front of the camera
    assert dedupe.fresh([code], now=3.5) == []  # kept in view, every frame renews the window
    assert dedupe.fresh([code], now=7.0) == [code]  # shown again after a pause


def test_the_images_pyzbar_ships_with_their_known_contents():
    """Real image files with published contents (pyzbar's own test images): every code, no false read."""
    from pathlib import Path

    import cv2
    import pyzbar

    folder = Path(pyzbar.__file__).parent / "tests"
    expected = {
        "code128.png": {("Rana temporaria", "CODE128"), ("Foramenifera", "CODE128")},
        "qrcode.png": {("Thalassiodracon", "QRCODE")},
        "qrcode_rotated.png": {("Thalassiodracon", "QRCODE")},
        "empty.png": set(),
    }
    for name, codes in expected.items():
        got = {(d.text, d.symbology) for d in decode_frame(cv2.imread(str(folder / name)))}
        assert got == codes, name
