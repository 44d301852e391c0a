"""``remotehub db upgrade``: migrate the database to the newest schema."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from config.settings import load_settings
from storage.db import Database
from storage.migrate import current_revision, upgrade_to_head


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="apply all migrations (run does this on start)")
    upgrade.set_defaults(handle=handle_upgrade)


def handle_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def upgrade() -> str | None:
        database = Database(settings.database_url)
        try:
            await upgrade_to_head(database)
            return await current_revision(database)
        finally:
            await database.dispose()

    revision = asyncio.run(upgrade())
    print(f"database is at revision {revision}")
    return 0
