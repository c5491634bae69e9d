"""Customer-facing pages: the home page with the address box and the station map."""
from flask import Blueprint, render_template

from accounts.access import public

bp = Blueprint("marketplace", __name__)


@bp.route("/")
@public
def home():
    return render_template("marketplace/home.html")
