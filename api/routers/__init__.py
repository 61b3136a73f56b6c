"""Routers grouped by who uses them, so access control can later be attached per group."""
