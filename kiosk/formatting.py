"""Jinja filters: money, local times, state labels, all in the store's locale and time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, g

from kiosk.db_request import get_db
from kiosk.money import format_money
from kiosk.states import LABELS


def current_store() -> dict:
    if "store" not in g:
        g.store = next(get_db().query("SELECT * FROM stores ORDER BY rowid LIMIT 1"), None)
    return g.store


def _money(minor: int | None, currency: str | None = None) -> str:
    if minor is None:
        return "—"
    store = current_store()
    return format_money(minor, currency or store["currency"], store["locale"])


def _local_datetime(iso: str | None, fmt: str = "short") -> str:
    if not iso:
        return "—"
    store = current_store()
    return format_datetime(datetime.fromisoformat(iso), fmt, tzinfo=ZoneInfo(store["timezone"]),
                           locale=store["locale"])


def _local_date(iso: str | None) -> str:
    return format_date(datetime.fromisoformat(iso).date(), "medium", locale=current_store()["locale"]) if iso else "—"


def init_app(app: Flask) -> None:
    app.add_template_filter(_money, "money")
    app.add_template_filter(_local_datetime, "local_datetime")
    app.add_template_filter(_local_date, "local_date")
    app.add_template_filter(lambda state: LABELS.get(state, state), "state_label")
    app.context_processor(lambda: {"store": current_store(), "staff": g.get("staff")})
