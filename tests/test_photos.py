"""Photos behind every grade (issue 33, item 1), at the counter and at the totem: taken with Chromium's fake camera
or through the plain file input, kept without any metadata (GPS, maker, serial, ICC), refused before decoding when
too large or a pixel bomb, required by the store's rule before the accept, shown to staff only, and gone with the
seller's data unless another trade-in shares the file."""

from __future__ import annotations

import io
import re
import stat
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from playwright.sync_api import expect

from core import protocol
from kiosk.compliance import privacy
from kiosk.evidence import photos
from kiosk.tradein import tradeins
from sync.photos import backlog, photos_folder
from testing.factories import SPEC, accept_all, actor_of, imei_number
from testing.hostile import bomb_png
from testing.samples import ADULT_SELLER, PERFECT_PHONE
from tests.browser import chromium, live_server, new_page
from tests.conftest import KioskClient, make_app, model_id
from tests.test_browser import sign_in
from tests.test_customer import customer, pick_up, start

SHOTS = Path("/work/scratch/shots/photos")
FAKE_CAMERA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
GPS_IFD, EXIF_IFD, ORIENTATION, MAKE, MODEL, BODY_SERIAL = 0x8825, 0x8769, 0x0112, 0x010F, 0x0110, 0xA431


def jpeg(width: int = 900, height: int = 600, colour=(180, 40, 40), **save) -> bytes:
    picture = Image.new("RGB", (width, height), colour)
    picture.paste((20, 20, 200), (0, 0, width // 3, height // 3))  # a blue corner: where "up" is
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def photo_with_metadata() -> bytes:
    """A phone's photo: GPS position, maker, model, body serial, a comment, XMP, a Display P3-like ICC profile and
    orientation 6 (taken rotated: the pixels are landscape, the scene portrait)."""
    exif = Image.Exif()
    exif[ORIENTATION], exif[MAKE], exif[MODEL] = 6, "Apple", "iPhone 13"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (48.0, 51.0, 29.6), 3: "E", 4: (2.0, 21.0, 7.9)})
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = "F2LXK0QJHG7F"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="48,51.49N"/></x:xmpmeta>'
    data = jpeg(exif=exif.tobytes(), icc_profile=icc, comment=b"Rue de la Roquette", xmp=xmp)
    with Image.open(io.BytesIO(data)) as sent:  # the upload really carries all of it
        assert sent.getexif().get_ifd(GPS_IFD) and sent.info.get("icc_profile") and b"F2LXK0QJHG7F" in data
    return data


def camera_running(page) -> None:
    """The fake camera's frames reach the page's video (a frame can be taken)."""
    expect(page.locator("video.camera-view")).to_be_visible()
    expect(page.locator("video.camera-view")).to_have_js_property("readyState", 4)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["DATA_DIR"]) / "photos"
    return sorted(p for p in folder.glob("*/*") if p.is_file()) if folder.exists() else []


def shots_of(db, tradein_uuid: str) -> list[tuple]:
    return db.execute("SELECT kind, sha256, record_seq FROM photos WHERE tradein_uuid = ? ORDER BY taken_at",
                      [tradein_uuid]).fetchall()


def take(staff: KioskClient, tradein_uuid: str, kind: str, data: bytes):
    return staff.post(f"/tradeins/{tradein_uuid}/photos", {"kind": kind, "image": (io.BytesIO(data), "p.jpg")},
                      content_type="multipart/form-data")


def quoted_tradeins(db, count: int) -> list[str]:
    """Quoted trade-ins of an iPhone 12 (below the manager's approval), through the flow's own services."""
    actor, uuids = actor_of(db), []
    iphone12 = db.execute("SELECT id FROM devices WHERE model = 'iPhone 12'").fetchone()[0]
    first = db.execute("SELECT count(*) FROM tradeins").fetchone()[0]
    for n in range(first, first + count):
        ti = tradeins.create_draft(db, actor, "phone", imei=imei_number(n))
        tradeins.set_device(db, actor, ti["uuid"], iphone12, 64)
        for question, answer in PERFECT_PHONE.items():
            tradeins.save_answer(db, actor, SPEC, ti["uuid"], question, answer)
        tradeins.prepare_quote(db, actor, SPEC, ti["uuid"], date.today())
        uuids.append(ti["uuid"])
    return uuids


def quoted(db) -> str:
    return quoted_tradeins(db, 1)[0]


@pytest.mark.browser
def test_a_clerk_takes_the_shots_with_the_browsers_camera(app, db):
    uuid = quoted(db)
    with live_server(app) as base, chromium(*FAKE_CAMERA) as browser:
        page = new_page(browser)
        sign_in(page, base)
        page.goto(f"{base}/tradeins/{uuid}/quote")
        page.locator("#take-photos").click()
        page.wait_for_url(re.compile(r"/photos$"))
        for kind in ("front", "back", "screen", "imei_screen"):  # the form offers the next shot each time
            expect(page.locator(f'input[name="kind"][value="{kind}"]')).to_be_checked()
            expect(page.locator("video")).to_be_visible()
            camera_running(page)
            page.get_by_role("button", name="Take the photo").click()
            expect(page.locator(f'.photo-item[data-kind="{kind}"] img')).to_be_visible()
        page.locator('input[name="kind"][value="damage"]').check()
        camera_running(page)
        page.wait_for_timeout(300)  # a few frames painted
        page.screenshot(path=str(SHOTS / "counter-photo-step-1280x800.png"))
        page.get_by_role("link", name="Done").click()
        page.wait_for_url(re.compile(r"/quote$"))
        expect(page.locator("#take-photos")).to_have_text("Photos (4)")
    assert [kind for kind, *_ in shots_of(db, uuid)] == ["front", "back", "screen", "imei_screen"]
    for path in stored_files(app):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        with Image.open(path) as kept:
            assert kept.format == "JPEG" and max(kept.size) <= 2000 and kept.size[0] > 100
    assert all(seq is None for *_, seq in shots_of(db, uuid))  # not bought yet: HQ is not told


@pytest.mark.browser
def test_a_photo_with_gps_is_kept_without_any_metadata_and_upright(app, db, tmp_path):
    uuid = quoted(db)
    upload = tmp_path / "IMG_0042.jpg"
    upload.write_bytes(photo_with_metadata())
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser)
        sign_in(page, base)
        page.goto(f"{base}/tradeins/{uuid}/photos")
        page.locator("#photo-file").set_input_files(str(upload))  # sent as soon as it is chosen
        expect(page.locator('.photo-item[data-kind="front"] img')).to_be_visible()
    (path,) = stored_files(app)
    kept = path.read_bytes()
    with Image.open(path) as picture:
        assert not picture.getexif() and not picture.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(picture.info)
        assert picture.size == (600, 900)  # orientation 6 applied to the pixels: the scene stands up
        assert picture.getpixel((600 - 50, 50))[2] > 150  # the blue corner turned with it (top right now)
    for trace in (b"GPS", b"Apple", b"iPhone", b"F2LXK0QJHG7F", b"Roquette", b"xmpmeta", b"ICC_PROFILE", b"Exif"):
        assert trace not in kept, trace
    assert path.stem == shots_of(db, uuid)[0][1]  # named by the SHA-256 of what is kept


@pytest.mark.browser
def test_a_20_mb_photo_and_a_pixel_bomb_are_refused_before_decoding_and_nothing_is_kept(app, db, tmp_path):
    uuid = quoted(db)
    huge, bomb = tmp_path / "huge.jpg", tmp_path / "bomb.png"
    huge.write_bytes(jpeg()[:-2] + b"\0" * (20 * 2**20) + b"\xff\xd9")
    bomb.write_bytes(bomb_png(30000))
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser)
        sign_in(page, base)
        page.goto(f"{base}/tradeins/{uuid}/photos")
        page.locator("#photo-file").set_input_files(str(huge))
        expect(page.locator(".flash.error")).to_contain_text("The picture is too large (at most 6 MB)")
        page.locator("#photo-file").set_input_files(str(bomb))
        # a 20 MB upload first: on a loaded machine it takes more than expect's 5 s default to be answered
        expect(page.locator("#photo-error")).to_contain_text("too many pixels (at most 12 megapixels)", timeout=20_000)
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0 and stored_files(app) == []


def test_too_large_and_bombs_are_refused_in_words_over_http(app, db, staff):
    uuid = quoted(db)
    too_large = take(staff, uuid, "front", b"\xff\xd8" + b"\0" * (7 * 2**20))
    assert too_large.status_code == 303  # refused by its size before the form is read: the step says why
    assert "The picture is too large" in staff.get(too_large.headers["Location"]).get_data(as_text=True)
    bombed = take(staff, uuid, "front", bomb_png(16000))
    assert bombed.status_code == 413 and "too many pixels" in bombed.get_data(as_text=True)
    thin = take(staff, uuid, "front", jpeg(2000, 100))
    assert thin.status_code == 422 and "too long and too narrow" in thin.get_data(as_text=True)
    junk = take(staff, uuid, "front", b"not a picture at all")
    assert junk.status_code == 422 and "not an image" in junk.get_data(as_text=True)
    assert take(staff, uuid, "selfie", jpeg()).status_code == 422
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0 and stored_files(app) == []


def test_a_french_store_requires_no_shot_and_accepts_as_before(app, db, staff):
    store = db.execute("SELECT id, country FROM stores").fetchone()
    assert store[1] == "FR" and photos.required_kinds(db, store[0]) == ()
    uuid = quoted(db)
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox WHERE entity_uuid = ?", [uuid])]
    assert kinds == [protocol.TRADEIN_ACCEPTED, protocol.VOUCHER_ISSUED]


def test_the_stores_rule_refuses_the_accept_until_the_required_shots_are_taken(app, db, staff):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["photos", "require", "front,imei_screen"])
    assert done.exit_code == 0 and "required: front, imei_screen" in done.output
    assert runner.invoke(args=["photos", "require", "selfie"]).exit_code != 0
    uuid = quoted(db)
    assert take(staff, uuid, "back", jpeg(colour=(1, 2, 3))).status_code == 303
    refused = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert refused.status_code == 422
    assert "This store takes a photo of Front side before it buys (2 required photo(s) missing)" in \
        refused.get_data(as_text=True)
    assert db.execute("SELECT state FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0] == "quoted"
    page = staff.get(f"/tradeins/{uuid}/photos").get_data(as_text=True)
    assert "Still missing: Front side, The *#06# screen" in page
    assert take(staff, uuid, "front", jpeg()).status_code == 303
    assert take(staff, uuid, "imei_screen", jpeg(colour=(9, 9, 9))).status_code == 303
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    # Each shot's record goes to HQ in the accept's transaction, after the trade-in's own.
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY seq")]
    assert kinds[0] == protocol.TRADEIN_ACCEPTED and kinds.count(protocol.PHOTO_TAKEN) == 3
    assert all(seq is not None for *_, seq in shots_of(db, uuid))
    assert runner.invoke(args=["photos", "require", "--country"]).output.startswith("required: none")


def test_a_shot_retaken_before_the_accept_replaces_the_last_and_after_it_is_evidence(app, db, staff):
    uuid = quoted(db)
    take(staff, uuid, "front", jpeg(colour=(10, 200, 10)))
    take(staff, uuid, "front", jpeg(colour=(200, 10, 10)))
    (first,) = shots_of(db, uuid)
    assert [p.stem for p in stored_files(app)] == [first[1]]  # the replaced file went with its row
    accept_all(db, [uuid])
    take(staff, uuid, "front", jpeg(colour=(10, 10, 200)))  # bought: one more, told to HQ at once
    assert [r[2] is not None for r in shots_of(db, uuid)] == [True, True]
    photo_uuid = db.execute("SELECT uuid FROM photos WHERE tradein_uuid = ? LIMIT 1", [uuid]).fetchone()[0]
    kept = staff.post(f"/tradeins/{uuid}/photos/{photo_uuid}/remove")
    assert kept.status_code == 422 and "it stays" in kept.get_data(as_text=True)
    shipped = db.execute("UPDATE tradeins SET state = 'shipped' WHERE uuid = ?", [uuid])
    db.conn.commit()
    assert shipped.rowcount == 1
    assert take(staff, uuid, "back", jpeg()).status_code == 422  # the device left the store


def test_erasing_a_seller_deletes_their_photos_unless_another_trade_in_shares_the_file(app, db, staff):
    first, second = quoted_tradeins(db, 2)
    for uuid in (first, second):
        take(staff, uuid, "front", jpeg())  # the same bytes: one file for two trade-ins
        take(staff, uuid, "back", jpeg(colour=(len(uuid), 1, 1)) if uuid == first else jpeg(colour=(3, 3, 3)))
    assert len(stored_files(app)) == 3
    accept_all(db, [first])
    other = {**ADULT_SELLER, "id_doc_number": "X4RTBPFW4"}
    assert staff.post(f"/tradeins/{second}/seller", other).status_code == 303
    seller = db.execute("SELECT seller_ref FROM tradeins WHERE uuid = ?", [first]).fetchone()[0]
    assert privacy.erase(db, seller) == 1
    assert shots_of(db, first) == [] and len(shots_of(db, second)) == 2
    assert len(stored_files(app)) == 2  # the first's own back went; the shared front stays for the second
    seller = db.execute("SELECT seller_ref FROM tradeins WHERE uuid = ?", [second]).fetchone()[0]
    privacy.erase(db, seller)
    assert stored_files(app) == [] and db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_the_daily_purge_drops_the_photos_of_trade_ins_that_bought_nothing(app, db, staff):
    uuid = quoted(db)
    take(staff, uuid, "front", jpeg())
    assert staff.post(f"/tradeins/{uuid}/decline").status_code == 303
    privacy.purge(db)
    assert shots_of(db, uuid) == [] and stored_files(app) == []


def test_photos_are_shown_to_signed_in_staff_only(app, db, staff, tmp_path):
    uuid = quoted(db)
    take(staff, uuid, "front", jpeg())
    sha = shots_of(db, uuid)[0][1]
    shown = staff.get(f"/photos/{sha}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data[:2] == b"\xff\xd8"
    assert staff.get(f"/photos/{'0' * 64}").status_code == 404 and staff.get("/photos/..%2Fkiosk.db").status_code == 404
    anonymous = KioskClient(app.test_client()).get(f"/photos/{sha}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    detail = staff.get(f"/tradeins/{uuid}").get_data(as_text=True)
    assert f'src="/photos/{sha}"' in detail and 'id="take-photos"' in detail
    totem = make_app(tmp_path / "totem", DATABASE=app.config["DATABASE"], TERMINAL_MODE="customer")
    assert totem.test_client().get(f"/photos/{sha}").status_code == 404  # no staff page on a customer terminal


def test_the_shipments_and_sync_pages_show_the_photos(app, db, staff):
    uuid = quoted(db)
    take(staff, uuid, "front", jpeg())
    accept_all(db, [uuid])
    sha = shots_of(db, uuid)[0][1]
    assert f'src="/photos/{sha}"' in staff.get("/shipments").get_data(as_text=True)
    size = (photos_folder(db) / sha[:2] / f"{sha}.jpg").stat().st_size
    assert backlog(db) == {"files": 1, "bytes": size, "refused": 0}
    page = staff.get("/sync").get_data(as_text=True)
    assert f'id="photo-backlog">1 ({-(-size // 1000)} kB)' in page


def totem_ticket_with_photo(app, data: bytes) -> tuple[KioskClient, str]:
    client = customer(app)
    start(client)
    client.post("/customer/device", {"device_id": model_id(app), "storage_gb": 64})
    for step, value in enumerate(PERFECT_PHONE.values(), start=1):
        client.post(f"/customer/questions/{step}", {"answer": value})
    client.get("/customer/photos")
    taken = client.post("/customer/photos", {"kind": "back", "image": (io.BytesIO(data), "p.jpg")},
                        content_type="multipart/form-data")
    assert taken.status_code == 303, taken.get_data(as_text=True)
    client.get("/customer/estimate")
    client.post("/customer/ticket")
    code = re.search(r'id="ticket-code">(E-[0-9A-Z]{6})<', client.get("/customer/ticket").get_data(as_text=True))
    return client, code.group(1)


def test_the_customers_totem_shot_goes_with_the_ticket_to_the_clerks_trade_in(app, db):
    client, code = totem_ticket_with_photo(app, jpeg())
    (photo_uuid,) = [r[0] for r in db.execute("SELECT uuid FROM photos WHERE estimate_uuid IS NOT NULL")]
    assert client.get(f"/customer/photos/{photo_uuid}").status_code == 303  # the ticket is out: the screen is done
    staff, uuid = pick_up(app, code, PERFECT_PHONE)
    page = staff.get(f"/tradeins/{uuid}/photos").get_data(as_text=True)
    assert 'data-kind="back"' in page and "by the customer" in page
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    record = db.execute("SELECT payload FROM outbox WHERE kind = ?", [protocol.PHOTO_TAKEN]).fetchone()[0]
    assert f'"tradein_uuid":"{uuid}"' in record and '"source":"totem"' in record


def test_a_customer_who_leaves_without_a_ticket_takes_their_shots_away(app, db):
    client = customer(app)
    start(client)
    client.get("/customer/photos")
    assert client.post("/customer/photos", {"kind": "front", "image": (io.BytesIO(jpeg()), "p.jpg")},
                       content_type="multipart/form-data").status_code == 303
    (photo_uuid,) = [r[0] for r in db.execute("SELECT uuid FROM photos")]
    assert client.get(f"/customer/photos/{photo_uuid}").status_code == 200
    other = customer(app)
    start(other)
    assert other.get(f"/customer/photos/{photo_uuid}").status_code == 404  # another customer's estimate
    assert client.post("/customer/reset").status_code == 303
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0 and stored_files(app) == []


@pytest.mark.browser
def test_the_totem_photo_step_uses_its_camera(app, db):
    with live_server(app) as base, chromium(*FAKE_CAMERA) as browser:
        page = new_page(browser, 1080, 1920, has_touch=True)
        page.goto(base + "/customer/")
        page.get_by_role("button", name="A phone").click()
        page.goto(base + "/customer/photos")
        camera_running(page)
        page.get_by_role("button", name="Take the photo").click()
        expect(page.locator('.photo-item[data-kind="front"] img')).to_be_visible()
        expect(page.locator('input[name="kind"][value="back"]')).to_be_checked()
        camera_running(page)
        page.screenshot(path=str(SHOTS / "totem-photo-step-1080x1920.png"))
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")  # the totem never scrolls
        expect(page.get_by_role("link", name="Back to my estimate")).to_be_in_viewport()
    assert db.execute("SELECT kind, taken_by FROM photos").fetchall() == [("front", None)]


def test_the_cli_names_the_rule_and_its_source(app):
    result = app.test_cli_runner().invoke(args=["photos", "required"])
    assert result.exit_code == 0, result.output
    assert "required: none" in result.output and "police register" in result.output
