"""Who sends text messages: an interface with one method, chosen by `SMS_SENDER` in config.

- `log` (development, `make run`): the message goes to the app's log, where a developer
  reads the code;
- `outbox`: kept in memory in `app.extensions["sms_outbox"]` (tests read codes there);
- `package.module:Factory`: a real provider's adapter (e.g. Aliyun or Tencent Cloud SMS),
  called as `Factory(app)` once at start and then `.send(phone, text)` per message.
"""
from __future__ import annotations

import logging
from importlib import import_module
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger("wenqing.sms")


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """Development: the text in the log instead of on a phone."""

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text)


class OutboxSender:
    """Tests and demos: every message kept, newest last."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.messages.append((phone, text))


def init_app(app: Flask) -> Sender:
    choice = app.config.get("SMS_SENDER") or "log"
    if choice == "log":
        sender: Sender = LogSender()
    elif choice == "outbox":
        sender = OutboxSender()
    else:
        module, _, name = choice.partition(":")
        sender = getattr(import_module(module), name)(app)
    app.extensions["sms_sender"] = sender
    return sender


def sender() -> Sender:
    return current_app.extensions["sms_sender"]
