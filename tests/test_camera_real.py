"""hardware.camera on real photos: a few of zxing-cpp's public sample images (tests/data/real_photos/README.md says
where from, and their licence). bench/real_photos.py reads the whole set."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import pytest

from hardware.camera import decode_frame, read_picture

PHOTOS = Path(__file__).parent / "data" / "real_photos"
# Box labels' EAN-13 the camera missed before (glare, shadow, defocus, a close-up filling the picture), and two
# where a false EAN-13 was read beside the right one. A UPC-A is read as its EAN-13, with a leading 0.
EAN_13 = {
    "ean13-2_01.webp": "9780804816632",
    "ean13-2_17.webp": "9784872348880",
    "ean13-4_03.webp": "9780441014989",
    "ean13-4_10.webp": "9780441014989",
    "ean13-4_19.webp": "9780441014989",
    "ean13-1_35.webp": "5030159003930",
    "upca-4_7.webp": "0023942431015",
}
NO_CODE = "falsepositives-2_25.webp"  # rows of out-of-focus stripes: bars to a region finder, no code


@pytest.mark.parametrize("name", sorted(EAN_13))
def test_a_real_photo_of_a_box_label_reads_its_ean13_and_nothing_else(name):
    """The camera's stream path (decode_frame, no pyzbar) on the photo as a camera frame would hold it."""
    got = [(code.text, code.symbology) for code in decode_frame(cv2.imread(str(PHOTOS / name)))]
    assert got == [(EAN_13[name], "EAN13")]


def test_the_same_photos_uploaded_read_the_same():
    """The upload path (read_picture: bounded, then decoded with pyzbar as the last resort) from the file's bytes."""
    for name, ean in EAN_13.items():
        assert [code.text for code in read_picture((PHOTOS / name).read_bytes()).codes] == [ean], name


def test_stripes_that_are_no_barcode_read_as_nothing():
    data = (PHOTOS / NO_CODE).read_bytes()
    assert decode_frame(cv2.imread(str(PHOTOS / NO_CODE))) == []
    assert read_picture(data).codes == []


def test_the_hardware_pages_camera_check_shows_what_a_real_photo_reads(staff):
    """A clerk tries the camera on the hardware page with a photo of a book's barcode, then with one of stripes."""
    page = staff.post("/hardware/camera", {"image": (io.BytesIO((PHOTOS / "ean13-4_19.webp").read_bytes()),
                                                     "label.webp")}, content_type="multipart/form-data")
    assert page.status_code == 200 and "9780441014989" in page.get_data(as_text=True)
    assert "8882412014989" not in page.get_data(as_text=True)  # pyzbar's misread, once the stream path read nothing
    page = staff.post("/hardware/camera", {"image": (io.BytesIO((PHOTOS / NO_CODE).read_bytes()), "stripes.webp")},
                      content_type="multipart/form-data")
    assert page.status_code == 422  # the camera check's verdict: no code found in the picture
    assert "9780441014989" not in page.get_data(as_text=True)
