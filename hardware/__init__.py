"""hardware: the store's devices: receipt printers by driver name (printer), ESC/POS rendering of core's
receipt documents (escpos_render), a receipt as PNG (receipt_png), camera decoding of barcodes (camera),
serial scanners (scanner).

May import core; never Flask, the kiosk, sync or HQ."""
