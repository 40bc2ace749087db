"""HQ's own Flask extension objects, bound in create_app() (never the kiosk's)."""

from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
