"""kiosk.views: the blueprints, one per feature (what they share lives in kiosk.web). A view reads the request, calls
a service and renders the page or, for htmx, the fragment; it holds no SQL and opens no transaction."""

