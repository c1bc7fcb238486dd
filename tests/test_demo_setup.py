import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from quotes.models import Team


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
    # The sales manager leads a team of the two sellers ("Teamets översikt").
    assert "saljchef / saljchef-demo-2026" in out
    manager = users.get(username="saljchef")
    assert manager.groups.filter(name="Säljchef").exists() and not manager.is_staff
    team = Team.objects.get(manager=manager)
    assert sorted(team.members.values_list("username", flat=True)) == ["saljare", "saljare2"]
    assert Team.objects.count() == 1  # the second run made nothing new
    # The sales director approves discounts above a sales manager's limit.
    assert "försäljningsdirektör  saljdirektor / saljdirektor-demo-2026" in out
    director = users.get(username="saljdirektor")
    assert director.groups.filter(name="Försäljningsdirektör").exists() and not director.is_staff
    assert director.check_password("saljdirektor-demo-2026")
    # Every demo user has a phone and an e-mail for the offers they sign.
    sara = users.get(username="saljare")
    assert (sara.email, sara.seller_profile.phone) == ("saljare@example.com", "+46 70 000 00 02")


def test_demo_setup_refuses_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_setup")
    assert not get_user_model().objects.filter(username="admin").exists()
