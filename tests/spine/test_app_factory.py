import importlib
import stat

from eventapp import config, create_app


def _reload_config(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return importlib.reload(config)


def test_database_url_comes_from_environment(monkeypatch, tmp_path):
    cfg = _reload_config(monkeypatch, DATABASE_URL="postgres://u:p@db.example:5432/ev", EVENTAPP_INSTANCE=str(tmp_path))
    try:
        assert cfg.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u:p@db.example:5432/ev"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config)


def test_sqlite_under_instance_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    cfg = _reload_config(monkeypatch, EVENTAPP_INSTANCE=str(tmp_path))
    try:
        assert cfg.Config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'eventapp.sqlite3'}"
    finally:
        importlib.reload(config)


def test_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.persistent_secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.persistent_secret_key(tmp_path)
    second = config.persistent_secret_key(tmp_path)
    assert first == second and len(first) >= 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_default_app_uses_generated_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3", "INSTANCE_DIR": tmp_path})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()
    assert not app.testing


def test_testing_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"].startswith("test-only-key-")


def test_home_page_lists_events(client, demo_event):
    page = client.get("/")
    assert page.status_code == 200
    assert demo_event.name in page.get_data(as_text=True)


def test_unknown_page_is_a_clear_404(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "There is no page at this address" in page.get_data(as_text=True)
