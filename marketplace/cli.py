"""`flask marketplace …`: catalogue set-up and aggregate maintenance."""
import time

import click
from flask.cli import AppGroup

from extensions import db
from marketplace.aggregates import rebuild_stats
from marketplace.catalog import ensure_catalog

marketplace_cli = AppGroup("marketplace", help="Engineers' catalogue and aggregates.")


@marketplace_cli.command("catalog")
def catalog_command() -> None:
    """Add the default skills and review tags that are missing."""
    skills, tags = ensure_catalog()
    db.session.commit()
    click.echo(f"{len(skills)} skills, {len(tags)} tags.")


@marketplace_cli.command("rebuild-stats")
def rebuild_stats_command() -> None:
    """Recompute every engineer's stars, tags, favourites and tips from the source rows."""
    started = time.perf_counter()
    with click.progressbar(length=1, label="Rebuilding engineer aggregates") as bar:
        count = rebuild_stats()
        db.session.commit()
        bar.update(1)
    click.echo(f"Rebuilt {count} engineers in {time.perf_counter() - started:.1f} s.")
