"""Which language a request is answered in."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    """An explicit choice (this browser, then the account) wins; then what the browser or
    API client asks for (Accept-Language); otherwise Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    asked = request.accept_languages.best_match([code.replace("_", "-") for code in languages])
    return asked.replace("-", "_") if asked else current_app.config["BABEL_DEFAULT_LOCALE"]
