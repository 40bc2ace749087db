"""The photo channel (a store's files, signed with its HMAC secret like every store request: hq.web.api) and the
photo files shown to signed-in HQ staff.

    HEAD /api/v1/stores/<id>/photos/<sha256>   X-Photo-Received: bytes HQ holds; X-Photo-Complete: 1 when whole
    PUT  /api/v1/stores/<id>/photos/<sha256>   Content-Range: bytes <first>-<last>/<size>, the chunk as the body

404: this store announced no such photo (its record first); 409: the upload stands elsewhere (X-Photo-Received
says where); 422: the chunk does not fit, or the whole file does not have this SHA-256 (discarded)."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, jsonify, make_response, request
from flask_babel import gettext

from core.photos import MAX_PHOTO_BYTES, SHOT_KINDS
from core.protocol import SignatureError
from hq.services import photos
from hq.web.api import _authenticate, _error
from hq.web.auth import staff_required

bp = Blueprint("hq_photo_channel", __name__)
staff_bp = Blueprint("hq_photo_files", __name__, url_prefix="/hq")
staff_bp.before_request(staff_required(lambda: None))
CONTENT_RANGE = re.compile(r"^bytes (\d{1,10})-(\d{1,10})/(\d{1,10})$")
PATH = "/api/v1/stores/<store_id>/photos/<sha256>"


def _storage():
    return current_app.extensions["hq.storage"]


def _files():
    return current_app.extensions["hq.photos"]


@bp.errorhandler(SignatureError)
def _unsigned(err):
    return _error(401, str(err))


@bp.errorhandler(photos.PhotoRefused)
def _refused(err):
    answer, status = _error(err.status, str(err))
    if err.status == 409:
        received, _ = _files().held(request.view_args["sha256"])
        answer.headers["X-Photo-Received"] = str(received)
    return answer, status


def _answer(held: photos.Held, status: int = 200):
    response = make_response(jsonify({"received": held.received, "complete": held.complete, "size": held.size}),
                             status)
    response.headers["X-Photo-Received"] = str(held.received)
    response.headers["X-Photo-Complete"] = "1" if held.complete else "0"
    return response


@bp.route(PATH, methods=["HEAD"])
def held(store_id: str, sha256: str):
    """How much of this file HQ holds."""
    _authenticate(store_id)
    return _answer(photos.held(_storage(), _files(), store_id, sha256))


@bp.put(PATH)
def put(store_id: str, sha256: str):
    """One chunk of the file, at the byte the upload stands at; the file is checked and shown once whole."""
    _authenticate(store_id)  # reads the body: the signature covers the chunk's bytes
    chunk = request.get_data()
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
    if not match:
        return _error(422, "send Content-Range: bytes <first>-<last>/<size>")
    first, last, size = (int(group) for group in match.groups())
    if not 0 < size <= MAX_PHOTO_BYTES:
        return _error(422, f"a photo is at most {MAX_PHOTO_BYTES} bytes")
    if last < first or last - first + 1 != len(chunk):
        return _error(422, "Content-Range does not match the body's length")
    return _answer(photos.receive(_storage(), _files(), store_id, sha256, first, size, chunk))


@staff_bp.app_template_global()
def shot_label(kind: str) -> str:
    """What a shot shows, in the reader's language."""
    return gettext(SHOT_KINDS[kind]) if kind in SHOT_KINDS else kind


@staff_bp.get("/photos/<sha256>")
def photo(sha256: str):
    """A store's photo, to signed-in HQ staff (the trade-in page, the regrade beside the store's answers)."""
    found = photos.file_for_staff(_storage(), _files(), sha256)
    if found is None:
        abort(404)
    response = make_response(found[0])
    response.headers["Content-Type"] = found[1]
    return response
