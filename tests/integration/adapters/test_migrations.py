"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import Base


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    """Every table, column and index of the models (the covering metric indexes of 0011
    included) is what the migrations made: a model changed without its migration fails."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
