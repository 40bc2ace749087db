"""Messages shown to people, kept translatable without importing Flask. Pure.

Domain modules raise `UserError(N_("… %(count)s …"), count=3)`: the English text (the catalogue
key) and its values stay apart, so the view can show it in the reader's language
(kiosk.i18n.translated) while str(err) stays readable English for logs and tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable


def N_(msgid: str) -> str:
    """Marks a string for the catalogue (pybabel extract -k N_) without translating it here."""
    return msgid


class Message(str):
    """A text for people with its values kept apart: reads as the English text, and
    kiosk.i18n.translated() gives it in the reader's language."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def to_json(self) -> dict:
        """For a message kept in the database (e.g. a gate reason), to be translated when shown."""
        return {"msgid": self.msgid, "params": self.params}


class Amount(int):
    """A message value that is money in minor units: shown in the reader's locale (kiosk.i18n)."""


class Instant(str):
    """A message value that is a UTC instant (ISO 8601): shown in the reader's locale and time zone."""


def stored(text: str) -> str | dict:
    """How a message is kept in a JSON column: a Message with its values, plain text as is."""
    return text.to_json() if isinstance(text, Message) else text


def stored_text(text: str) -> str:
    """A message as one TEXT column holds it: the JSON of stored() (kiosk.i18n.translated reads it back)."""
    return json.dumps(stored(text), sort_keys=True, ensure_ascii=False) if isinstance(text, Message) else text


def restored(item: str | dict) -> str:
    return Message(item["msgid"], **item.get("params", {})) if isinstance(item, dict) else item


class UserError(ValueError):
    """A refusal whose message a clerk or customer reads; `message` makes it translatable."""

    def __init__(self, msgid: str, **params: object):
        self.message = Message(msgid, **params)
        super().__init__(str(self.message))


def translate(text: object, gettext: Callable[..., str], money: Callable[[int], str],
              instant: Callable[[str], str] = str) -> str:
    """Anything meant for a reader, through the app's gettext: a refusal (UserError), a Message or its
    stored form ({"msgid", "params"}), or a plain catalogue text (looked up as is, never %-formatted:
    "92 %" is a label, not a format). Values that are messages are translated first, Amounts shown as money,
    Instants as a local time. Text the catalogue does not know comes back unchanged."""
    if isinstance(getattr(text, "message", None), Message):  # UserError, PrinterError
        text = text.message
    if isinstance(text, str) and text.startswith('{"msgid"'):  # a message kept in a text column (stored_text)
        text = json.loads(text)
    if isinstance(text, dict) and "msgid" in text:
        text = Message(text["msgid"], **text.get("params", {}))
    if isinstance(text, Message) and text.params:
        def value(v: object) -> object:
            if isinstance(v, Amount):
                return money(int(v))
            if isinstance(v, Instant):
                return instant(str(v))
            return translate(v, gettext, money, instant) if isinstance(v, Message) else v
        return gettext(text.msgid, **{k: value(v) for k, v in text.params.items()})
    return gettext(text.msgid if isinstance(text, Message) else str(text))
