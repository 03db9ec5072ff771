"""postgresql: keep everything in one PostgreSQL database, so several app servers can share it.

Chosen when ``database_url = "postgresql://…"`` is in config.toml or
``CONSENT_KIT_DATABASE_URL`` is set; otherwise this plugin does nothing and the
embedded store (a data folder) is used. ``database_schema`` puts the tables in
a schema of their own (several instances in one database); ``database_pool_size``
is how many connections each server process may hold (default 4).

It also adds ``consent-kit migrate-store --to postgresql://…``, which copies an
instance's data folder into an empty database. See docs/scaling.md.
"""

from __future__ import annotations

from consent_kit import hookimpl

URL_PREFIXES = ("postgresql://", "postgres://")


def wanted(config) -> str:
    """The database address from the settings when it is a PostgreSQL one, else ""."""
    url = str(config.get("DATABASE_URL") or "")
    return url if url.startswith(URL_PREFIXES) else ""


@hookimpl
def storage_backend(config):
    url = wanted(config)
    if not url:
        return None
    from .store import PostgresStore  # psycopg is only needed when the plugin is used

    # The instance key that wraps each participant's key: store_key, CONSENT_KIT_STORE_KEY or
    # <data>/store.key. Every server sharing the database must have the same one.
    store = PostgresStore(url, schema=config.get("DATABASE_SCHEMA") or None,
                          pool_size=int(config.get("DATABASE_POOL_SIZE") or 4),
                          store_key=config.get("STORE_KEY") or None, key_dir=config.get("DATA_DIR"))
    store.check_key()  # a server given another instance key stops here, saying so
    return store


@hookimpl
def register_commands(cli):
    from .migrate import migrate_store_command

    cli.add_command(migrate_store_command)
