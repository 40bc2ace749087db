"""kiosk.compliance: what the law and security ask of a terminal: the police register (register), sellers'
data rights (privacy), encryption of personal data (crypto), the audit log and who acted (audit), staff
accounts, PIN lockout and approvals (staff).

May import core and kiosk.store; imports no other kiosk service."""
