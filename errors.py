"""What an error says to the reader, in the reader's language: werkzeug names and describes
each HTTP error in English; a refusal that says why (our own exceptions) keeps its words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

TEXT = {  # code: (title, what it means when nothing more precise was said)
    400: (_l("Bad request"), _l("The request could not be read.")),
    401: (_l("Please sign in"), _l("Please sign in to do this.")),
    403: (_l("Not allowed"), _l("You may not open this page or do this.")),
    404: (_l("Not found"), _l("There is nothing here: the address may be mistyped, or it was removed.")),
    405: (_l("Not allowed"), _l("This address does not take that kind of request.")),
    409: (_l("Conflict"), _l("This clashes with what is already there.")),
    413: (_l("Too large"), _l("What was sent is too large.")),
    415: (_l("Not understood"), _l("What was sent is not in a form this address reads.")),
    422: (_l("Please check the values"), _l("Some values are not valid: each field says why.")),
    429: (_l("Too many attempts"), _l("Too many attempts: please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side; nothing was changed. "
                                          "Please try again in a moment.")),
    503: (_l("Not available"), _l("This is not available at the moment; please try again later.")),
}


def title_of(error: HTTPException) -> str:
    return str(TEXT.get(error.code, (error.name,))[0])


def werkzeug_default(error: HTTPException) -> str:
    """werkzeug's English description of the error's status (our own refusals, subclasses
    with a description of their own, say more)."""
    for cls in type(error).__mro__:
        if cls.__module__ == "werkzeug.exceptions" and "description" in cls.__dict__:
            return str(cls.__dict__["description"] or "")
    return ""


def description_of(error: HTTPException) -> str:
    """The exception's own description if it was given one; else the translated default."""
    own = error.description
    if own is None or str(own) == werkzeug_default(error):
        return str(TEXT.get(error.code, (None, own or ""))[1])
    return str(own)
