"""kiosk.till: the point of sale's services: cart and checkout (sales), returns to the original tenders
(returns), X and Z reports (reports) and store-credit vouchers (vouchers). The arithmetic is core.till's.

May import core, kiosk.store, kiosk.compliance and sync; never a view."""
