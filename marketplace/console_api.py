"""The call centre's customer search in the JSON API: `GET /api/customers?q=` for agents."""
from __future__ import annotations

from flask_smorest import Blueprint

from accounts.access import allow
from marketplace import console
from marketplace.console_schemas import CustomerQuerySchema, CustomerRowSchema

blp = Blueprint("customers_api", __name__, url_prefix="/api",
                description="The call centre's search for the customer on the phone")


@blp.route("/customers")
@allow("agent")
@blp.arguments(CustomerQuerySchema, location="query")
@blp.response(200, CustomerRowSchema(many=True))
def find_customers(query):
    """Customers matching a phone (any way of writing it, or four or more of its digits), a
    name or an e-mail, exact matches first; phones masked and the area of the default
    address only (a list across customers; the card of the one handled is on the console)."""
    return console.search(query["q"])
