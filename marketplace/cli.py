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


@marketplace_cli.command("rebuild-points")
def rebuild_points_command() -> None:
    """Recompute every engineer's points and level from the source rows; report any
    engineer whose ledger disagrees (there should be none)."""
    from accounts.models import utcnow
    from marketplace.points import rebuild_points
    disagree = rebuild_points(utcnow())
    db.session.commit()
    for engineer_id, (computed, ledger) in sorted(disagree.items()):
        click.echo(f"engineer {engineer_id}: {computed} points from the sources, {ledger} in the ledger")
    click.echo("Points and levels rebuilt; the ledger agrees." if not disagree else
               f"{len(disagree)} engineers disagree with the ledger.")
    if disagree:
        raise SystemExit(1)


@marketplace_cli.command("levels")
def levels_command() -> None:
    """Re-read every engineer's level (run daily: steps down after the grace period)."""
    from accounts.models import utcnow
    from marketplace.models import EngineerStats
    from marketplace.points import refresh_level
    ids = db.session.execute(db.select(EngineerStats.engineer_id)).scalars().all()
    with click.progressbar(ids, label="Levels") as bar:
        for engineer_id in bar:
            refresh_level(engineer_id, utcnow())
    db.session.commit()
