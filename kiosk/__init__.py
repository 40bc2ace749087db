"""kiosk: the store terminal, a Flask app (create_app in kiosk.app) by feature:
views (blueprints: no SQL, no transactions) > web helpers (auth, i18n, formatting, hq_link) >
services (tradein, till, compliance, peripherals, provisioning) > store (the SQLite file); cli holds every
`flask --app kiosk` command. The pure rules are core's.

May import core, hardware and sync (the kiosk side of sync); never HQ (hq). import-linter checks the
layers and that no two kiosk packages import each other in a cycle."""

__version__ = "0.1.0"


def create_app(config=None):
    """Application factory, found by `flask --app kiosk`. Imported lazily so that
    `import core.imei` does not pull in Flask."""
    from kiosk.app import create_app as _create_app

    return _create_app(config)
