"""``python -m localapi`` runs standalone, is drivable over HTTP and stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_standalone_server_prints_its_url_and_stops_on_sigint() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "localapi", "--port", "0", "--token", "5:T", "--user", "7:Ada"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        root = process.stdout.readline().strip()
        assert root.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=root, timeout=5) as http:
            me = http.get("/bot5:T/getMe").json()
            assert me["result"]["username"] == "remotehub_test_bot"
            sent = http.post("/_local/send_text", json={"user_id": 7, "text": "/start"})
            assert sent.json()["result"]["text"] == "/start"
            updates = http.post("/bot5:T/getUpdates", json={"timeout": 0}).json()["result"]
            assert updates[0]["message"]["from"]["first_name"] == "Ada"
            http.post("/bot5:T/sendMessage", json={"chat_id": 7, "text": "Welcome"})
            assert http.get("/_local/sent").json()["result"][0]["text"] == "Welcome"
            assert http.get("/_local/stats").json()["result"]["sent"] == 1
            bad = http.post("/_local/send_text", json={"nonsense": 1})
            assert bad.status_code == 400
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
