"""kiosk.diagnostics: the customer's phone tests itself (issue 33). The clerk shows a QR code; the customer's phone
opens HQ's secure test page with a one-time token (links: registered at HQ by a signed call, fetched back by the
checklist's panel and by the background sync), and the report is judged by core.device_tests to pre-answer the
checklist and to print on the receipt (results).

A service beside kiosk.tradein (whose checklist and receipt read the results) and kiosk.compliance (its audit log
keeps each link started); it imports neither kiosk.tradein nor anything above the services."""
