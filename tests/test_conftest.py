"""The suite's own guard: any connection beyond loopback fails the test that makes it."""

from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize("address", [("203.0.113.7", 443), ("8.8.8.8", 53), ("10.0.0.1", 80)])
def test_non_loopback_connections_are_refused(address: tuple[str, int]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError, match="network"):
        sock.connect(address)


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
