"""`flask seed`: the demo network, with a progress bar."""
import click
from flask import current_app
from flask.cli import with_appcontext

from demo.seed import seed_demo


@click.command("seed")
@click.option("--seed", "seed", default=7, show_default=True, help="Random seed.")
@click.option("--stations", type=click.IntRange(min=1), default=None,
              help="Only this many stations (default: one per county seat, 2,845).")
@click.option("--day", "book_day", is_flag=True,
              help="Also book tomorrow across the network (10 to 60 visits a station).")
@with_appcontext
def seed_command(seed: int, stations: int | None, book_day: bool) -> None:
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
    if book_day:
        import time
        from datetime import timedelta

        from demo.day import book_demo_day
        from dispatch.booking import station_now
        began, day = time.monotonic(), station_now().date() + timedelta(days=1)
        booked = book_demo_day(day, seed=seed)
        click.echo(f"Booked {booked.visits} visits at {booked.stations} stations for {day.isoformat()} "
                   f"in {time.monotonic() - began:.1f} s ({booked.skipped} stations left as they were); "
                   f"plan them: flask dispatch plan-network --date {day.isoformat()}")
    click.echo(f"Demo sign-ins (password: {password}): customer1@demo.test, "
               "engineer1@demo.test, manager1@demo.test, agent1@demo.test, admin@demo.test")
