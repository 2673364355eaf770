"""Settings as a deployment gives them: the README's .env file, PORT, and eventapp imported from any folder.

Each case runs in a fresh Python process started in an empty folder, as gunicorn or a cron job would be."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The README's deployment and docs/deploying.md both show the .env file: each example must work.
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "deploying.md")
# Settings a test run or a developer's shell may have that would hide what the file or the default gives.
_OUTSIDE = ("FLASK_SKIP_DOTENV", "PORT", "PUBLIC_BASE_URL", "EVENTAPP_CONFIG")

_PRINT_CONFIG = """
import json
from eventapp import create_app
app = create_app()
print(json.dumps(dict(app.config), default=str))
"""


def app_config(folder: Path, drop: Iterable[str] = (), **env: str) -> dict:
    """create_app()'s config in a new process whose working directory is folder, without the variables drop."""
    environment = {k: v for k, v in os.environ.items() if k not in _OUTSIDE and k not in drop}
    environment.update(EVENTAPP_INSTANCE=str(folder / "instance"), **env)
    done = subprocess.run([sys.executable, "-c", _PRINT_CONFIG], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def documented_env_command(document: Path) -> tuple[str, str]:
    """The document's command that writes the deployment's .env, and the path it writes."""
    match = re.search(r"^cat > (\S+/\.env) <<EOF\n.*?^EOF$", document.read_text(), re.MULTILINE | re.DOTALL)
    assert match, f"{document.name} no longer shows a `cat > .../.env <<EOF` example: update this test with it"
    return match.group(0), match.group(1)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_the_documented_env_example_reaches_the_app_config(tmp_path, document):
    command, documented_path = documented_env_command(document)
    # Written by the shell exactly as a reader pasting the document would, only into this test's folder.
    subprocess.run(["bash", "-c", command.replace(documented_path, str(tmp_path / ".env"), 1)], cwd=tmp_path,
                   check=True, timeout=60)
    written = {}
    for line in (tmp_path / ".env").read_text().splitlines():
        key, _, value = line.partition("=")
        written[key.strip()] = value
    assert {"MAIL_DEFAULT_SENDER", "SECRET_KEY", "DATABASE_URL"} <= written.keys()
    assert " " in written["MAIL_DEFAULT_SENDER"]  # the case that broke `set -a; . ./.env`

    config = app_config(tmp_path, drop=written)
    for key, value in written.items():
        if key == "DATABASE_URL":
            assert config["SQLALCHEMY_DATABASE_URI"] == value.replace("postgresql://", "postgresql+psycopg://", 1)
        elif isinstance(config[key], bool):
            assert config[key] is (value.lower() in {"1", "true", "yes", "on"}), key
        elif isinstance(config[key], int | float):
            assert config[key] == type(config[key])(value), key
        else:
            assert config[key] == value, key


def test_a_real_environment_variable_wins_over_the_env_file(tmp_path):
    (tmp_path / ".env").write_text("MAIL_DEFAULT_SENDER=From the file <file@example.org>\nMAIL_PORT=2525\n")
    config = app_config(tmp_path, MAIL_DEFAULT_SENDER="From the environment <env@example.org>")
    assert config["MAIL_DEFAULT_SENDER"] == "From the environment <env@example.org>"
    assert config["MAIL_PORT"] == 2525


def test_the_env_file_is_found_from_a_subfolder_as_flask_finds_it(tmp_path):
    (tmp_path / ".env").write_text('MAIL_DEFAULT_SENDER="Quoted team <q@example.org>"\n')
    (tmp_path / "logs").mkdir()
    assert app_config(tmp_path / "logs")["MAIL_DEFAULT_SENDER"] == "Quoted team <q@example.org>"


def test_eventapp_imports_from_any_folder(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import eventapp, eventapp.config; print(eventapp.__file__)"],
                          cwd=tmp_path, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).parent == ROOT / "eventapp"


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"PORT": "8000", "PUBLIC_BASE_URL": "https://events.example.org"}, "https://events.example.org"),
])
def test_mailed_links_follow_the_port_unless_a_public_address_is_set(tmp_path, env, expected):
    assert app_config(tmp_path, **env)["PUBLIC_BASE_URL"] == expected
