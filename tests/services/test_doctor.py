from studygame.config import get_settings
from studygame.services.doctor import run_checks


def test_the_doctor_never_shows_the_pin_or_a_password(app_database, monkeypatch):
    monkeypatch.setenv("APP_PIN", "80417263")
    monkeypatch.setenv("DATABASE_URL", app_database.replace("root@", "root:s3cretpw9@"))
    get_settings.cache_clear()
    checks = {check.name: check for check in run_checks(get_settings())}
    assert checks["APP_PIN"].detail == "set (hidden)"
    assert "root:***@" in checks["DATABASE_URL"].detail
    shown = repr(checks)
    assert "80417263" not in shown
    assert "s3cretpw9" not in shown
