"""Trade-in kiosk: the Flask app lives in kiosk.app; domain modules (imei, grading, pricing,
receipts, states, money) import no Flask so hardware/ and sync/ can use them on their own."""

__version__ = "0.1.0"


def create_app(config=None):
    """Application factory, found by `flask --app kiosk`. Imported lazily so that
    `import kiosk.imei` does not pull in Flask."""
    from kiosk.app import create_app as _create_app

    return _create_app(config)
