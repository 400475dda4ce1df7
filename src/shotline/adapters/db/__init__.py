"""Relational persistence: SQLAlchemy models, engine, migrations, repositories."""
