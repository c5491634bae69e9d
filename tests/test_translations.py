"""Every message the pages or API can show has its Chinese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def extract_python_module(f):
    for line, _funcname, message, comments in extract_python(f, list(KEYWORDS), [], {}):
        yield line, message, comments, None


def test_every_message_is_translated_to_chinese():
    with open(ROOT / "translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f)
                      if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = set()
    # Every package of the product (a new one is covered without being named here), the
    # templates and the top-level modules.
    folders = [p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"]
    found = [m for folder in folders + [ROOT / "templates"]
             for m in extract_from_dir(folder, METHODS, keywords=KEYWORDS)]
    for module in ROOT.glob("*.py"):
        with open(module, "rb") as f:
            found += [(module.name, *m) for m in extract_python_module(f)]
    for _file, _line, message, _comments, _context in found:
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid not in translated:
            missing.add(msgid)
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"
