"""The fiscal archive's XML (CGI art. 286 I-3° bis, condition of archiving; schema core/data/fiscal_archive.xsd): a
period's records, each with its Ed25519 signature, the terminals' public keys, and the archive's own signature over
its period and its records' signatures. Written and read here; checked without the database. Pure."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from core import fiscal

NAMESPACE = "urn:tradein-kiosk:fiscal-archive:1"
SCHEMA_FILE = Path(__file__).parent / "data" / "fiscal_archive.xsd"
SOFTWARE = "tradein-kiosk"
# Record field -> XML attribute (totals is an element: JSON text).
ATTRIBUTES = (("seq", "seq"), ("kind", "kind"), ("doc_uuid", "docUuid"), ("number", "number"), ("at", "at"),
              ("local_date", "localDate"), ("terminal_id", "terminal"), ("software_version", "softwareVersion"),
              ("total_minor", "totalMinor"), ("perpetual_minor", "perpetualMinor"),
              ("prev_signature", "prevSignature"), ("signature", "signature"))
INTEGERS = {"seq", "total_minor", "perpetual_minor"}


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def archive_message(period: str, records: list[Mapping]) -> dict:
    """What the archive's own signature covers: its period, its first and last records, and every signature."""
    digest = hashlib.sha256("\n".join(r["signature"] for r in records).encode()).hexdigest()
    return {"seq": 0, "kind": "archive", "number": period, "at": "", "totals": {}, "total_minor": len(records),
            "perpetual_minor": records[-1]["perpetual_minor"] if records else 0, "terminal_id": "",
            "software_version": "", "prev_signature": digest}


def to_xml(header: Mapping[str, str], keys: Mapping[str, str], records: list[Mapping], signer: str,
           private_pem: str) -> bytes:
    """The archive: header (period, store, legalName, siret, softwareVersion, madeAt), keys, records, signature."""
    root = ET.Element(_q("fiscalArchive"), {**header, "software": SOFTWARE})
    for terminal, pem in sorted(keys.items()):
        ET.SubElement(root, _q("publicKey"), {"terminal": terminal}).text = pem
    for record in records:
        element = ET.SubElement(root, _q("record"), {attr: str(record[field]) for field, attr in ATTRIBUTES})
        totals = record["totals"] if isinstance(record["totals"], str) else json.dumps(record["totals"])
        ET.SubElement(element, _q("totals")).text = totals
    signature = fiscal.sign(private_pem, archive_message(header["period"], records))
    ET.SubElement(root, _q("archiveSignature"), {"terminal": signer}).text = signature
    ET.register_namespace("", NAMESPACE)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def from_xml(data: bytes) -> dict:
    """{header, keys, records, signer, signature} of an archive file (raises ValueError when it is not one)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise ValueError(f"not an XML archive: {err}") from None
    if root.tag != _q("fiscalArchive"):
        raise ValueError("not a fiscal archive (root element)")
    keys = {k.get("terminal", ""): (k.text or "") for k in root.iter(_q("publicKey"))}
    records = []
    for element in root.iter(_q("record")):
        record: dict = {field: element.get(attr, "") for field, attr in ATTRIBUTES}
        for field in INTEGERS:
            record[field] = int(record[field]) if record[field].lstrip("-").isdigit() else record[field]
        record["totals"] = element.findtext(_q("totals"), "")
        records.append(record)
    sealed = root.find(_q("archiveSignature"))
    return {"header": dict(root.attrib), "keys": keys, "records": records,
            "signer": sealed.get("terminal", "") if sealed is not None else "",
            "signature": (sealed.text or "") if sealed is not None else ""}


def problems(archive: Mapping, trusted_key: str | None = None) -> list[str]:
    """Every problem of an archive, the first failing record named first. `trusted_key` (a PEM the inspector got
    from the editor or HQ) replaces the keys the archive carries."""
    records = archive["records"]
    keys = dict(archive["keys"])
    if trusted_key:
        keys = {terminal: trusted_key for terminal in {*keys, *(r["terminal_id"] for r in records)}}
    first_prev = records[0]["prev_signature"] if records else fiscal.GENESIS
    found = fiscal.chain_problems(records, keys, {}, first_prev)
    sealed = {**archive_message(archive["header"].get("period", ""), records), "signature": archive["signature"]}
    if not fiscal.signature_valid(keys.get(archive["signer"], ""), sealed):
        found.append("the archive's own signature does not verify: records were added, removed or changed")
    return found
