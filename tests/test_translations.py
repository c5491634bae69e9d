"""Every message the pages or API can show has its Chinese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def test_every_message_is_translated_to_chinese():
    with open(ROOT / "translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        translated = {m.id for m in read_po(f) if m.id and m.string}
    missing = set()
    for folder in ("accounts", "dispatch", "marketplace", "demo", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid not in translated:
                missing.add(msgid)
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"
