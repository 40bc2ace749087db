"""hardware: the store's devices: receipt printers by driver name (printer), ESC/POS rendering of core's
receipt documents (escpos_render), a receipt as PNG (receipt_png), camera decoding of barcodes (camera),
serial scanners (scanner).

May import core; never Flask, the kiosk, sync or HQ."""

import os

from hardware.uploads import MAX_PICTURE_PIXELS

# OpenCV reads this once, when it is loaded (hardware.camera loads it, after this): a picture in which its decoder
# finds more pixels than hardware.uploads accepted from the header Pillow read is then a decoder error (a 422), not an
# allocation of up to its default 2^30 pixels.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_PICTURE_PIXELS))
