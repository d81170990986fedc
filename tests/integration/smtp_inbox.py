"""An SMTP server in the test (aiosmtpd) that keeps what it is sent, for the integration tests
whose worker mails for real."""

from __future__ import annotations

import email
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

REFUSED = "refused@nowhere.example"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; it refuses one recipient."""

    def __init__(self):
        self.messages: list[Message] = []
        self.refusals = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            self.refusals += 1
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def digests(self) -> list[Message]:
        return [m for m in self.messages if (m["Message-ID"] or "").startswith("<digest-")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()
