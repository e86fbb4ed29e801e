"""Engines, units of work and migrations. Nothing here is created at import time."""
