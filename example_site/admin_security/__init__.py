"""The example site's admin security: a second factor, lockout and headers.

Kept apart from the package: a municipality that signs its staff in through
its own identity provider replaces this app (see docs/admin-security.md).
"""
