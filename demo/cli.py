"""`flask seed`: the demo network, with a progress bar."""
import click
from flask import current_app
from flask.cli import with_appcontext

from demo.seed import seed_demo


@click.command("seed")
@click.option("--seed", "seed", default=7, show_default=True, help="Random seed.")
@click.option("--stations", type=click.IntRange(min=1), default=None,
              help="Only this many stations (default: one per county seat, 2,845).")
@with_appcontext
def seed_command(seed: int, stations: int | None) -> None:
    """Add the demo network and demo accounts (idempotent; development only)."""
    password = current_app.config.get("DEMO_PASSWORD")
    if not password:
        raise click.ClickException("No DEMO_PASSWORD in this configuration (production?).")

    def bar(places):
        with click.progressbar(places, label="Stations", show_pos=True) as items:
            yield from items

    report = seed_demo(password, seed=seed, stations=stations, progress=bar)
    from demo.tips import ensure_demo_tips
    click.echo(f"Tips: {ensure_demo_tips(bool(current_app.config.get('STRIPE_SECRET_KEY')))}")
    click.echo(f"Added {report.stations_added} stations, {report.engineers_added} engineers, "
               f"{report.users_added} accounts, {report.reviews_added} reviews.")
    click.echo(f"Demo sign-ins (password: {password}): customer1@demo.test, "
               "engineer1@demo.test, manager1@demo.test, agent1@demo.test, admin@demo.test")
