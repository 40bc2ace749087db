"""Jurisdiction packs: the rules a store trades under come from where it is, as data
(core/data/jurisdictions/<name>.toml, every rule with its legal source), never from French code paths. Pure.

A pack says: the market (country, currency, locale, time zone); the tax model (VAT included, as in France, or sales
tax added at the till, as in New York City) with its rate, rounding and how a trade-in's store credit counts; the
business identifiers a store needs (SIRET; EIN and NYC DCWP licence), each checked; the seller's accepted identity
documents, the usual one and the minimum age; the photos required before buying; the registers a store keeps (the
police register, or New York City's dealer record) and each record's retention period; the privacy regime (notice
at collection, requests and their deadline); the receipt's legal lines.

A store's profile names its pack (`jurisdiction`; stores made before packs are `fr`): core.store_profile checks it,
and every screen, receipt and till rule asks `pack_for(store)`. Texts in a pack are English source strings the
catalogues translate (`extract_texts` is the Babel extractor that finds them).
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from stdnum.exceptions import ValidationError
from stdnum.fr import siret
from stdnum.us import ein

from core.photos import SHOT_KINDS
from core.retention import SELLER_PERIODS, Period

PACKS_DIR = Path(__file__).parent / "data" / "jurisdictions"
DEFAULT = "fr"  # every store profile made before packs existed
TAX_MODELS = ("vat_included", "sales_tax_added")
ROUNDINGS = ("per_rate_half_up", "per_receipt_half_up")
TRADEIN_CREDIT = ("voucher_is_payment",)
PRIVACY_REGIMES = ("gdpr", "ccpa_policy")
# The registers a pack may keep of each purchase ([registers] keep), each for its [retention] period of the same name
# (kiosk.compliance.register, kiosk.compliance.dealer_record): one a pack does not list is never written.
POLICE_REGISTER, DEALER_RECORD = "police_register", "dealer_record"
REGISTERS = (POLICE_REGISTER, DEALER_RECORD)
_DCWP = re.compile(r"(?:DCA|DCWP)?(\d{7})(?:DCA|DCWP)?")


class PackInvalid(ValueError):
    """A pack file that breaks a rule of its shape: named with the file and the key."""


def _dcwp_licence(raw: str) -> str:
    """A NYC DCWP licence number as printed ("2087654-DCA", "2087654"): 7 digits, no check digit published."""
    match = _DCWP.fullmatch(re.sub(r"[\s\-]", "", raw.upper()))
    if not match:
        raise ValidationError("not a DCWP licence number")
    return f"{match.group(1)}-DCA"


# validator name (in a pack) -> the function that returns the canonical form or raises stdnum's ValidationError
VALIDATORS = {"fr.siret": siret.validate, "us.ein": lambda raw: ein.format(ein.validate(raw)),
              "nyc.dcwp": _dcwp_licence}


@dataclass(frozen=True)
class Deadline:
    months: int = 0
    days: int = 0

    def after(self, day: date) -> date:
        """`day` plus the months (the same day, or the month's last when it has none) and the days."""
        month_index = day.month - 1 + self.months
        year, month = day.year + month_index // 12, month_index % 12 + 1
        moved = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
        return moved + timedelta(days=self.days)


@dataclass(frozen=True)
class Privacy:
    regime: str
    deadline: Deadline
    extension: Deadline
    requests: tuple[str, ...]  # the kinds of request a customer may make here
    notice: tuple[str, ...]  # the notice at collection, on the seller form and the receipt
    deadline_text: str  # what the managers' page says about the deadline
    source: str

    def due_on(self, received: date) -> date:
        return self.deadline.after(received)


@dataclass(frozen=True)
class Tax:
    model: str
    regimes: tuple[str, ...]  # the store profile's vat_regime must be one of these
    rate: Decimal  # percent; 0 where VAT is included in prices
    label: str
    rounding: str
    tradein_credit: str
    source: str

    @property
    def added(self) -> bool:
        return self.model == "sales_tax_added"

    def on(self, taxable_minor: int) -> int:
        """The sales tax added to a receipt's taxable total, once per receipt, half a cent or more up (0 where VAT
        is included in prices). A negative total (a refund) gives the tax of its absolute value, negative."""
        if not self.added:
            return 0
        tax = (Decimal(abs(taxable_minor)) * self.rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(tax) if taxable_minor >= 0 else -int(tax)


@dataclass(frozen=True)
class BusinessId:
    field: str  # the store profile's field
    validator: str
    printed: str  # how paper names it, "%(number)s" standing for the number
    source: str

    def canonical(self, raw: str) -> str:
        return VALIDATORS[self.validator](raw)


@dataclass(frozen=True)
class Pack:
    name: str
    title: Mapping[str, str]  # language -> the place's name
    country: str
    currency: str
    locale: str
    timezone: str
    tax: Tax
    business_ids: tuple[BusinessId, ...]
    documents: Mapping[str, str]  # key -> label (English source string), in the form's order
    usual_document: str
    min_age: int
    required_shots: tuple[str, ...]
    retention: Mapping[str, Period]
    dealer_record: Mapping[str, object]
    registers: tuple[str, ...]  # the registers a store of this pack keeps (REGISTERS)
    privacy: Privacy
    receipt_lines: tuple[str, ...]
    fiscal_chain: str
    raw: Mapping[str, object] = field(repr=False, default_factory=dict)

    def named(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]

    def keeps(self, register: str) -> bool:
        """Whether a store of this pack keeps `register` (one of REGISTERS) of each purchase."""
        return register in self.registers


def _need(raw: Mapping, key: str, where: str) -> object:
    if key not in raw:
        raise PackInvalid(f"{where}: {key} is missing")
    return raw[key]


def _sourced(raw: Mapping, section: str, name: str) -> Mapping:
    """A section every rule of which says where it comes from."""
    body = _need(raw, section, name)
    if not isinstance(body, Mapping) or "file" not in body and not str(body.get("source", "")).strip():
        raise PackInvalid(f"{name}: [{section}] has no source")
    return body


def _market(raw: Mapping, name: str) -> tuple[str, str, str, str]:
    market = _sourced(raw, "market", name)
    country, currency, locale, zone = (str(_need(market, k, f"{name} [market]")) for k in
                                       ("country", "currency", "locale", "timezone"))
    try:
        parsed = Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        raise PackInvalid(f"{name}: [market] locale {locale} is unknown") from None
    if parsed.territory != country or not is_currency(currency) or zone not in available_timezones():
        raise PackInvalid(f"{name}: [market] country, currency, locale and time zone do not agree")
    return country, currency, locale, zone


def _tax(raw: Mapping, name: str) -> Tax:
    tax = _sourced(raw, "tax", name)
    try:
        rate = Decimal(str(tax.get("rate_percent", "0")))
        parts = sum((Decimal(str(p["percent"])) for p in tax.get("components", ())), Decimal(0))
    except (InvalidOperation, KeyError):
        raise PackInvalid(f"{name}: [tax] rates are not decimal numbers") from None
    if tax.get("model") not in TAX_MODELS or tax.get("rounding") not in ROUNDINGS \
            or tax.get("tradein_credit") not in TRADEIN_CREDIT:
        raise PackInvalid(f"{name}: [tax] model, rounding or tradein_credit is not one the till knows")
    if tax.get("components") and parts != rate or any(not p.get("source") for p in tax.get("components", ())):
        raise PackInvalid(f"{name}: [tax] components must add up to rate_percent, each with its source")
    if (tax["model"] == "sales_tax_added") != (rate > 0) or not tax.get("rounding_source") \
            or not tax.get("tradein_credit_source"):
        raise PackInvalid(f"{name}: [tax] a sales tax needs a rate, and rounding and trade-in credit their source")
    return Tax(tax["model"], tuple(tax["regimes"]), rate, str(tax.get("label", "")), tax["rounding"],
               tax["tradein_credit"], tax["source"])


def _business_ids(raw: Mapping, name: str) -> tuple[BusinessId, ...]:
    section = _need(raw, "business_ids", name)
    found = []
    for key in section.get("required", ()):
        rule = _need(section, key, f"{name} [business_ids]")
        if rule.get("validator") not in VALIDATORS or not rule.get("source") or "%(number)s" not in rule.get(
                "printed", ""):
            raise PackInvalid(f"{name}: [business_ids.{key}] needs a known validator, a printed form and a source")
        found.append(BusinessId(key, rule["validator"], rule["printed"], rule["source"]))
    return tuple(found)


def _privacy(raw: Mapping, name: str) -> Privacy:
    body = _sourced(raw, "privacy", name)
    deadline, extension = Deadline(**body["deadline"]), Deadline(**body.get("extension", {}))
    if body.get("regime") not in PRIVACY_REGIMES or not body.get("requests") or not body.get("notice") \
            or deadline == Deadline():
        raise PackInvalid(f"{name}: [privacy] needs a known regime, requests, a notice and a deadline")
    return Privacy(body["regime"], deadline, extension, tuple(body["requests"]), tuple(body["notice"]),
                   str(body.get("deadline_text", "")), body["source"])


def _retention(raw: Mapping, name: str) -> dict[str, Period]:
    """Each period in whole years with its source; every pack has the seller's (every store purges)."""
    body = _need(raw, "retention", name)
    periods = {key: Period(key, int(entry["years"]), str(entry.get("source", "")).strip())
               for key, entry in body.items()}
    if any(not p.source or p.years <= 0 for p in periods.values()) or set(SELLER_PERIODS) - set(periods):
        raise PackInvalid(f"{name}: [retention] needs periods in years, each with its source, "
                          f"{' and '.join(SELLER_PERIODS)} among them")
    return periods


def _registers(raw: Mapping, name: str, retention: Mapping[str, Period], record: Mapping) -> tuple[str, ...]:
    """The registers the pack keeps: known ones, each with its [retention] period; the dealer record's fields are
    listed where it is kept, and only there."""
    kept = tuple(_sourced(raw, "registers", name).get("keep", ()))
    if set(kept) - set(REGISTERS) or set(kept) - set(retention) or len(set(kept)) != len(kept):
        raise PackInvalid(f"{name}: [registers] keeps only {', '.join(REGISTERS)}, each with its [retention] period")
    if (DEALER_RECORD in kept) != bool(record.get("fields")):
        raise PackInvalid(f"{name}: [dealer_record] lists fields if and only if [registers] keeps dealer_record")
    return kept


def _seller(raw: Mapping, name: str) -> tuple[dict[str, str], str, int]:
    seller, labels = _sourced(raw, "seller", name), _need(raw, "documents", name)
    documents = {key: str(_need(labels, key, f"{name} [documents]")) for key in seller["documents"]}
    if seller.get("usual_document") not in documents or not 16 <= int(seller.get("min_age", 0)) <= 21:
        raise PackInvalid(f"{name}: [seller] usual_document must be listed and min_age between 16 and 21")
    return documents, seller["usual_document"], int(seller["min_age"])


def load_pack(path: Path) -> Pack:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    name = str(raw.get("name", ""))
    if name != path.stem:
        raise PackInvalid(f"{path.name}: name must be the file's name ({path.stem})")
    photos = _sourced(raw, "photos", name)
    if set(photos["required"]) - set(SHOT_KINDS):
        raise PackInvalid(f"{name}: [photos] requires unknown shot kinds")
    documents, usual, min_age = _seller(raw, name)
    receipt, record = _sourced(raw, "receipt", name), _sourced(raw, "dealer_record", name)
    retention, fiscal = _retention(raw, name), _sourced(raw, "fiscal", name)
    if record.get("retention") not in retention:
        raise PackInvalid(f"{name}: [dealer_record] retention must name one of [retention]'s periods")
    registers = _registers(raw, name, retention, record)
    return Pack(name, dict(_need(raw, "title", name)), *_market(raw, name), _tax(raw, name),
                _business_ids(raw, name), documents, usual, min_age, tuple(photos["required"]), retention,
                dict(record), registers, _privacy(raw, name), tuple(receipt["lines"]), str(fiscal["chain"]), raw)


def _load_all() -> dict[str, Pack]:
    packs = {path.stem: load_pack(path) for path in sorted(PACKS_DIR.glob("*.toml"))}
    labels: dict[str, str] = {}
    for pack in packs.values():  # one key, one meaning: a register or receipt names a document by its key alone
        for key, label in pack.documents.items():
            if labels.setdefault(key, label) != label:
                raise PackInvalid(f"{pack.name}: document {key} has another label in another pack")
    return packs


PACKS = _load_all()
ALL_DOCUMENTS = {key: label for pack in PACKS.values() for key, label in pack.documents.items()}
BUSINESS_ID_FIELDS = ("siret", "ein", "dealer_licence")  # every pack's identifiers, as store profile fields


def pack(name: str) -> Pack:
    """The named pack; KeyError for a name no pack has (core.store_profile refuses such a profile first)."""
    return PACKS[name]


def pack_for(store: Mapping | None) -> Pack:
    """A store's pack: its profile's `jurisdiction`, France for a store without one (made before packs)."""
    return PACKS.get(str((store or {}).get("jurisdiction") or DEFAULT), PACKS[DEFAULT])


def extract_texts(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for a pack's texts: document labels, the privacy notice and deadline, receipt lines, the
    printed form of each identifier and the tax label."""
    raw = tomllib.loads(fileobj.read().decode("utf-8"))
    texts = [*raw.get("documents", {}).values(), *raw.get("privacy", {}).get("notice", ()),
             raw.get("privacy", {}).get("deadline_text", ""), *raw.get("receipt", {}).get("lines", ()),
             raw.get("tax", {}).get("label", ""),
             *(rule.get("printed", "") for rule in raw.get("business_ids", {}).values() if isinstance(rule, dict))]
    for text in texts:
        if text:
            yield 0, None, text, [f"jurisdiction {raw.get('name')}"]
