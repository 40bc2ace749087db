"""hardware.camera on seeded synthetic frames (bench/frames.py makes them; bench/decode.py measures)."""

from __future__ import annotations

import numpy as np

from bench.frames import code_image, make_frame
from hardware.camera import Decoded, Deduper, decode_frame, to_gray


def test_easy_and_medium_frames_are_read_exactly():
    rng = np.random.default_rng(7)
    for tier in ("easy", "easy", "easy", "medium", "medium"):
        frame = make_frame(rng, tier)
        got = {(d.text, d.symbology) for d in decode_frame(frame.image)}
        assert got == frame.expected, tier


def test_a_code_beside_one_the_first_pass_read_is_still_looked_for():
    """A box label's IMEI and EAN-13 side by side make one bar region. The whole-frame pass reads the IMEI here and
    misses the EAN-13: the region is not taken as confirmed by the IMEI alone, and its reads find the EAN-13."""
    import zxingcpp

    from hardware.camera import ALL_FORMATS

    rng = np.random.default_rng(11)
    frame = [make_frame(rng, "easy") for _ in range(6)][-1]
    first_pass = {r.text for r in zxingcpp.read_barcodes(to_gray(frame.image), formats=ALL_FORMATS)}
    assert {text for text, symbology in frame.expected if symbology == "EAN13"} - first_pass  # the case itself
    assert {(d.text, d.symbology) for d in decode_frame(frame.image)} == frame.expected


def test_grayscale_input_and_a_label_turned_by_35_degrees():
    rng = np.random.default_rng(11)
    frame = make_frame(rng, "hard")
    got = {(d.text, d.symbology) for d in decode_frame(to_gray(frame.image))}
    assert got <= frame.expected and ("QRCODE" in {s for _, s in got})  # never a false read


def dual_sim_box_label(first: str, second: str, gap: int) -> np.ndarray:
    """A dual-SIM phone box's label: IMEI 1 above IMEI 2, `gap` pixels apart (drawn as the benchmark draws
    its labels' Code128)."""
    top, bottom = code_image("CODE128", first), code_image("CODE128", second)
    height = top.shape[0]
    label = np.full((2 * height + gap + 40, max(top.shape[1], bottom.shape[1]) + 60), 245, np.uint8)
    label[20:20 + height, 30:30 + top.shape[1]] = top
    label[20 + height + gap:20 + 2 * height + gap, 30:30 + bottom.shape[1]] = bottom
    return label


def in_a_frame(label: np.ndarray, angle: float) -> np.ndarray:
    """The label photographed turned by `angle` degrees, a little smaller, on a grey desk."""
    import cv2

    h, w = label.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 0.8)
    turn[:, 2] += (640 - w / 2, 360 - h / 2)
    return cv2.warpAffine(label, turn, (1280, 720), borderValue=120)


def test_a_dual_sim_boxs_two_stacked_imeis_are_both_read_upper_first():
    """Two Code128 a few pixels apart are two codes, not one code's sightings that disagree."""
    first, second = "356938035643809", "352099001761481"
    for gap in (6, 24):
        label = dual_sim_box_label(first, second, gap)
        for angle in (-45, -20, 0, 30, 45):
            got = [d.text for d in decode_frame(in_a_frame(label, angle))]
            assert got == [first, second], (gap, angle, got)


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


def test_qr_codes_on_phone_screens_are_read_at_least_as_well_as_by_zxing_alone():
    """A customer holds up a voucher on a phone: dim screen, pixel grid, glare, held far or close. Whatever ours
    reads is right, and it misses no code plain zxing-cpp (restricted to our formats) would have read."""
    import zxingcpp

    from bench.frames_wide import make_screen_frame
    from hardware.camera import ALL_FORMATS

    rng = np.random.default_rng(5)
    for _ in range(12):
        frame = make_screen_frame(rng)
        ours = {(d.text, d.symbology) for d in decode_frame(frame.image)}
        plain = {(r.text, "QRCODE") for r in zxingcpp.read_barcodes(to_gray(frame.image), formats=ALL_FORMATS)}
        assert ours <= frame.expected and plain & frame.expected <= ours
