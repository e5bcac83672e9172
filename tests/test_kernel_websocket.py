"""A learner's Jupyter server stays responsive when a kernel's websocket is replaced.

JupyterLab reconnects to a kernel with the same session when the kernel is restarted while
its first connection is still being set up; jupyter_server then closes the older websocket as
"stale", and a frame the browser had already sent on it still arrives. This test does the
same over raw sockets against a real ``jupyter server`` with a real kernel and the learner
workspace's configuration: the frame is in the wire format the server chose for that socket,
as JupyterLab sends it. With jupyter_server's default (v1) format the server decodes such a
frame with the legacy decoder and its only thread is busy for 20-30 s
(``merit.learner.workspace.KERNEL_WS_PROTOCOL``); the learner workspace prevents that.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

from merit.learner.workspace import write_learner_config
from tests.hub_support import free_ports

V1 = "v1.kernel.websocket.jupyter.org"
RESPONSIVE_S = 5.0  # the stalled server needed 20-30 s


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, str, int]]:
    """``jupyter server`` configured as a learner's (URL, token, port)."""
    config = tmp_path / "jupyter-peserta"
    write_learner_config(config)
    token, (port,) = uuid.uuid4().hex, free_ports(1)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", f"--port={port}"]
    command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            requests.get(f"{url}/api/status", params={"token": token}, timeout=2).raise_for_status()
            break
        except requests.RequestException:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
    try:
        yield url, token, port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def open_websocket(port: int, path: str, token: str) -> tuple[socket.socket, str | None]:
    """A websocket offering the v1 format, as JupyterLab does; the socket and the server's choice."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {V1}\r\n"
        f"Authorization: token {token}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    lines = head.decode().split("\r\n")
    assert lines[0].startswith("HTTP/1.1 101"), lines[0]
    chosen = [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sec-websocket-protocol:")]
    return sock, (chosen[0] if chosen else None)


def send_frame(sock: socket.socket, payload: bytes, binary: bool) -> None:
    """One masked client frame (RFC 6455)."""
    size = len(payload)
    header = bytes([0x82 if binary else 0x81])
    if size < 126:
        header += bytes([0x80 | size])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", size)
    mask = os.urandom(4)
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def kernel_info_request(session: str, protocol: str | None) -> tuple[bytes, bool]:
    """What JupyterLab sends first on a kernel websocket, in the chosen format."""
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": "kernel_info_request",
        "session": session,
        "username": "peserta",
        "date": "2026-01-01T00:00:00Z",
        "version": "5.4",
    }
    if protocol == V1:
        parts = [json.dumps(part).encode() for part in (header, {}, {}, {})]
        return serialize_msg_to_ws_v1(parts, "shell"), True
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"}
    return json.dumps(message).encode(), False


def test_frame_on_a_replaced_kernel_websocket_does_not_stall_the_server(server):
    url, token, port = server
    auth = {"Authorization": f"token {token}"}
    kernel = requests.post(f"{url}/api/kernels", headers=auth, json={"name": "python3"}, timeout=60).json()
    session = uuid.uuid4().hex
    path = f"/api/kernels/{kernel['id']}/channels?session_id={session}"
    first, protocol = open_websocket(port, path, token)
    second, _ = open_websocket(port, path, token)  # the same session: the first is now "stale"
    payload, binary = kernel_info_request(session, protocol)
    send_frame(first, payload, binary)
    started = time.monotonic()
    requests.get(f"{url}/api/status", headers=auth, timeout=120).raise_for_status()
    answered = time.monotonic() - started
    assert answered < RESPONSIVE_S, f"the server answered after {answered:.1f} s (wire format {protocol!r})"
    assert protocol is None  # the legacy format, chosen by the learner workspace
    first.close()
    second.close()
