"""python -m bench.hostile: the outside attack run's High and Medium findings (issue 16), replayed over HTTP against
a kiosk and an HQ started here as real processes on 127.0.0.1; one line per item, held or FAILED.

Covers: 1 picture bombs, empty pictures and long thin ones (issue 29: 50×80000, alone and three at once) on the four
upload routes, with the kiosk's peak memory; 2 voucher minting and draining by another store; 3 HQ lockout and the
rate limits (both sign-ins, anonymous estimates);
4 open redirects; 6 printer commands in a seller's name; 7 formulas in HQ's CSV; 8 one ID number typed four ways;
9 reference files that would break a till. (5, the police register, is a file-level attack: tests/test_hostile.py.)
Issue 29's signed store-against-store items (testing/hostile_stores.py): a spend of another store's voucher undone
after the sale reached HQ, a trade-in code another store holds, an IBAN in Arabic-Indic digits sealed by a store.
Then issue 29's generated sweep (testing/hostile_sweep.py): every form and signed-API field fed with hostile strings,
on processes of its own; held when nothing answered 5xx (its per-route report: bench/results/hostile-sweep.txt).
Exits 1 if any item failed. Everything stops by itself; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hq import create_app as create_hq_app
from hq.services.staff import add_staff
from testing import hostile, hostile_stores, hostile_sweep
from testing.processes import hq_process, kiosk_process, peak_rss_mb

PIN, HQ_PIN = "246810", "135790"


def _prepare_hq(folder: Path) -> list[tuple[str, str]]:
    setup = create_hq_app({"DATA_DIR": str(folder)})
    storage = setup.extensions["hq.storage"]
    add_staff(storage, "Inès Moreau", "receiver", HQ_PIN)
    add_staff(storage, "Nadia Benali", "supervisor", HQ_PIN)
    return [storage.add_store(name) for name in ("Boutique A", "Boutique B")]


def run(folder: Path) -> list[hostile.Finding]:
    store_a, store_b = _prepare_hq(folder / "hq")
    with hq_process(folder / "hq") as (hq_base, _hq), \
            kiosk_process(folder / "kiosk", DEMO="true", DEMO_PIN=PIN, PRINTER_DRIVER="dummy") as (base, kiosk):
        staff = hostile.kiosk_staff(base, "Camille Martin", PIN)
        customer = hostile.Browser(base)
        customer.get("/customer/")
        customer.post("/customer/start", {"kind": "phone"})
        customer.get("/customer/device")
        receiver = hostile.hq_staff(hq_base, "Inès Moreau", HQ_PIN)
        supervisor = hostile.hq_staff(hq_base, "Nadia Benali", HQ_PIN)
        findings = hostile.probe_picture_uploads({
            "staff snapshot": (staff, "/scan/image"), "customer *#06# photo": (customer, "/customer/device/photo"),
            "hardware page camera test": (staff, "/hardware/camera"), "HQ sticker": (receiver, "/hq/checkin/photo")},
            peak_mb=lambda: peak_rss_mb(kiosk.pid))
        findings += hostile.probe_voucher_forgery(hq_base, store_a, store_b)
        findings += hostile_stores.probe_store_isolation(hq_base, store_a, store_b)
        findings += hostile.probe_redirects(base, hq_base, PIN, "Nadia Benali", HQ_PIN)
        findings += hostile.probe_identity(staff)
        findings += hostile.probe_csv(hq_base, store_a, receiver)
        findings += hostile.probe_reference(supervisor)
        findings += hostile.probe_sign_in(base, hq_base, "Inès Moreau", HQ_PIN)  # last: it trips the limits
    return findings


def sweep(folder: Path) -> hostile.Finding:
    """Issue 29's generated sweep as one item; its report, route by route, in bench/results/hostile-sweep.txt."""
    report = hostile_sweep.run(folder)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    hostile_sweep.write_report(report, results / "hostile-sweep.txt")
    failed = report.failures()
    return hostile.Finding("29 generated hostile sweep", not failed, report.summary() + "".join(
        f"\n          5xx: {o.app} {o.route} [{o.field}] ← {o.hostile} ({o.status})" for o in failed[:20]))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        findings = run(Path(folder))
    with tempfile.TemporaryDirectory(prefix="hostile-sweep-") as folder:
        findings.append(sweep(Path(folder)))
    for finding in findings:
        print(finding.line())
    failed = [f for f in findings if not f.held]
    print(f"{len(findings) - len(failed)} held, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
