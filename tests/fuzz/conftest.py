"""The fuzz tests run against the same seeded organisation as the service tests."""

from services.conftest import (  # noqa: F401 - fixtures, re-exported for this folder
    db,
    pg_database,
    sqlite_template,
    today,
    world,
)
