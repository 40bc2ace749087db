"""The OpenAPI 3.1 description of HQ's store API, served at /api/v1/openapi.json."""

from core import protocol

_SIGNED = [{"storeSignature": []}]
_STORE = {"name": "store_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
_SHA256 = {"name": "sha256", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
_ERROR = {"description": "Refused, with the reason", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}}}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "Trade-in HQ store API", "version": "1.0.0",
             "description": "Stores push their outbox in seq order and pull reference data. Every call is "
                            "signed: X-Signature = hex HMAC-SHA256(store secret, timestamp + '\\n' + METHOD + "
                            "'\\n' + path + '\\n' + body), with X-Store-Id and X-Timestamp (Unix seconds, "
                            "at most 300 s off). X-Protocol-Version names the batch protocol (core.protocol: "
                            "2.1; none means 2.0): an older or unknown major is refused with 422 and a code."},
    "components": {
        "securitySchemes": {"storeSignature": {"type": "apiKey", "in": "header", "name": "X-Signature"}},
        "schemas": {
            "Record": {"type": "object", "required": ["seq", "record_uuid", "kind", "payload"], "properties": {
                "seq": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                "record_uuid": {"type": "string", "format": "uuid"},
                "kind": {"type": "string", "enum": list(protocol.RECORD_KINDS)},
                "payload": {"type": "string", "description": "canonical JSON text, stored byte for byte"},
                "created_at": {"type": "string"}}},
            "Batch": {"type": "object", "required": ["batch_id", "records"], "properties": {
                "batch_id": {"type": "string", "minLength": 8, "maxLength": 64},
                "records": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/Record"}}}},
            "Ack": {"type": "object", "required": ["acked_through_seq", "accepted", "duplicates", "rejected"],
                    "properties": {
                        "acked_through_seq": {"type": "integer"}, "accepted": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                        "rejected": {"type": "array", "items": {"type": "object", "properties": {
                            "seq": {"type": "integer"}, "record_uuid": {"type": "string"},
                            "reason": {"type": "string"}}}}}},
        },
    },
    "paths": {
        "/api/v1/stores/{store_id}/batches": {"post": {
            "summary": "Push a batch of outbox records", "security": _SIGNED, "parameters": [_STORE],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Batch"}}}},
            "responses": {"200": {"description": "Acknowledged", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Ack"}}}},
                "401": _ERROR, "409": _ERROR, "413": _ERROR, "422": _ERROR, "503": _ERROR}}},
        "/api/v1/stores/{store_id}/health": {"post": {
            "summary": "The terminal's health report alone, when it had nothing to push (core.health; at most "
                       "4096 bytes)", "security": _SIGNED, "parameters": [_STORE],
            "responses": {"200": {"description": "Noted"}, "401": _ERROR, "413": _ERROR, "422": _ERROR}}},
        "/api/v1/stores/{store_id}/reference": {"get": {
            "summary": "Latest version of each reference kind for the store's market (its currency; the blocklist "
                       "and TAC table are every market's)", "security": _SIGNED, "parameters": [_STORE],
            "responses": {"200": {"description": "kind -> {version, published_at}"}, "401": _ERROR}}},
        "/api/v1/stores/{store_id}/reference/{kind}/{version}": {"get": {
            "summary": "One reference version's data, of the store's market", "security": _SIGNED,
            "parameters": [_STORE, {"name": "kind", "in": "path", "required": True, "schema": {
                "type": "string", "enum": ["catalog", "grid", "promos", "blocklist"]}},
                {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The data document"}, "401": _ERROR, "404": _ERROR}}},
        "/api/v1/stores/{store_id}/devices/{identifier}": {"get": {
            "summary": "May this store buy this IMEI/serial? (the re-trade policy over every store's trade-ins)",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "identifier", "in": "path", "required": True,
                                    "schema": {"type": "string", "maxLength": 32}}],
            "responses": {"200": {"description": "{refusal: null or {code: open_here | open_elsewhere | too_recent, "
                                                 "since, days, detail}}: a code, the kiosk says it in words"},
                          "401": _ERROR}}},
        "/api/v1/enrol": {"post": {
            "summary": "A terminal exchanges a one-time enrolment code for its store id, a new secret and the "
                       "store profile (unsigned: the code is the credential; single use, rate-limited)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["code"], "properties": {"code": {"type": "string", "maxLength": 40}}}}}},
            "responses": {"200": {"description": "{store_id, secret, profile, tracking_url}"}, "403": _ERROR,
                          "422": _ERROR, "429": _ERROR}}},
        "/api/v1/stores/{store_id}/updates": {"get": {
            "summary": "What HQ did with this store's trade-ins (received, regraded, disputes, payouts, resold, "
                       "counter-offers and their answers, devices sent back) after a cursor",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "after", "in": "query", "required": False,
                                    "schema": {"type": "string", "maxLength": 120}}],
            "responses": {"200": {"description": "{updates: [{id, tradein_uuid, at, by, action, detail, cursor}]}"},
                          "401": _ERROR}}},
        "/api/v1/stores/{store_id}/vouchers/{code}/redeem": {"post": {
            "summary": "Spend part of any store's voucher, once per sale (409-free: 422 refused, 404 unknown)",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "code", "in": "path", "required": True,
                                    "schema": {"type": "string", "maxLength": 32}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["sale_uuid", "amount_minor"],
                "properties": {"sale_uuid": {"type": "string", "format": "uuid"},
                               "amount_minor": {"type": "integer", "minimum": 1}}}}}},
            "responses": {"200": {"description": "{balance_minor}"}, "401": _ERROR, "404": _ERROR, "422": _ERROR}}},
        "/api/v1/stores/{store_id}/vouchers/{code}/release": {"post": {
            "summary": "Give back what this store's redemption took when it could not save that sale (422 once HQ "
                       "has the sale's record or a return of it; released false: this store took nothing)",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "code", "in": "path", "required": True,
                                    "schema": {"type": "string", "maxLength": 32}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["sale_uuid"], "properties": {"sale_uuid": {"type": "string"}}}}}},
            "responses": {"200": {"description": "{released}"}, "401": _ERROR, "422": _ERROR}}},
        "/api/v1/stores/{store_id}/sales/{key}": {"get": {
            "summary": "Any store's sale by receipt number or device IMEI/serial, for a return or warranty claim here: "
                       "number, store, date, lines with what came back and warranty end, refundable per tender kind",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "key", "in": "path", "required": True,
                                    "schema": {"type": "string", "maxLength": 32}}],
            "responses": {"200": {"description": "{uuid, number, store_id, store_name, sold_at, currency, lines, "
                                                 "refundable}"}, "401": _ERROR, "404": _ERROR}}},
        "/api/v1/stores/{store_id}/warranty-claims/{claim_uuid}": {"get": {
            "summary": "The status HQ gave a warranty claim this store opened",
            "security": _SIGNED,
            "parameters": [_STORE, {"name": "claim_uuid", "in": "path", "required": True,
                                    "schema": {"type": "string", "maxLength": 64}}],
            "responses": {"200": {"description": "{status: open | received | repaired | replaced | refused, "
                                                 "status_at}"}, "401": _ERROR, "404": _ERROR}}},
        "/api/v1/stores/{store_id}/photos/{sha256}": {
            "head": {
                "summary": "How much of a photo's file HQ holds (X-Photo-Received, X-Photo-Complete: 1 when whole and "
                           "its SHA-256 checked); 404 until this store's record of the photo has reached HQ",
                "security": _SIGNED, "parameters": [_STORE, _SHA256],
                "responses": {"200": {"description": "headers X-Photo-Received, X-Photo-Complete"}, "401": _ERROR,
                              "404": _ERROR}},
            "put": {
                "summary": "A chunk of the file at the byte the upload stands at (Content-Range: bytes "
                           "<first>-<last>/<size>); the whole file is checked against its SHA-256 before HQ shows it; "
                           "a file HQ holds whole is a no-op",
                "security": _SIGNED, "parameters": [_STORE, _SHA256, {
                    "name": "Content-Range", "in": "header", "required": True,
                    "schema": {"type": "string", "pattern": "^bytes [0-9]+-[0-9]+/[0-9]+$"}}],
                "requestBody": {"required": True, "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "{received, complete, size}"}, "401": _ERROR, "404": _ERROR,
                              "409": {"description": "the upload stands elsewhere (X-Photo-Received)"},
                              "422": _ERROR}}},
        "/api/v1/stores/{store_id}/device-tests": {"post": {
            "summary": "A phone test link for one of this store's trade-ins (the customer's phone tests itself on HQ's "
                       "page /device-test/<token>): HQ keeps the token's SHA-256 and draws the tone",
            "security": _SIGNED, "parameters": [_STORE],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["token_sha256", "tradein_uuid", "minutes"], "properties": {
                    "token_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "tradein_uuid": {"type": "string", "format": "uuid"},
                    "minutes": {"type": "integer", "minimum": 1},
                    "language": {"type": "string", "enum": ["fr", "en"]}}}}}},
            "responses": {"201": {"description": "{expires_at, tone_hz, page}: the page's address, the token appended"},
                          "401": _ERROR, "413": _ERROR, "422": _ERROR}}},
        "/api/v1/stores/{store_id}/device-tests/{token_sha256}": {"get": {
            "summary": "A test link of this store: open, expired or used, and the phone's report once sent",
            "security": _SIGNED, "parameters": [_STORE, {"name": "token_sha256", "in": "path", "required": True,
                                                           "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
            "responses": {"200": {"description": "{status, tradein_uuid, expires_at, tone_hz, submitted_at, report}"},
                          "401": _ERROR, "404": _ERROR}}},
        "/healthz": {"get": {"summary": "Health", "responses": {"200": {"description": "ok"},
                                                                "503": {"description": "storage down"}}}},
    },
}
