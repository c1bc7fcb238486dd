import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_demo_setup_creates_the_demo_users_once(db, settings, tmp_path, capsys):
    settings.DEBUG = True
    settings.QUOTE_SIGNING_CERT = str(tmp_path / "cert.pem")
    settings.QUOTE_SIGNING_KEY = str(tmp_path / "key.pem")
    call_command("demo_setup")
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert "saljare / saljare-demo-2026" in out
    users = get_user_model().objects
    assert users.filter(username__in=["admin", "saljare", "saljare2"]).count() == 3
    assert users.get(username="admin").is_staff
    assert users.get(username="saljare").groups.filter(name="Säljare").exists()


def test_demo_setup_refuses_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_setup")
    assert not get_user_model().objects.filter(username="admin").exists()
