def test_swedish_even_for_an_english_browser(seller_client):
    r = seller_client.get("/offerter/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert r["Content-Language"] == "sv"
    assert "Logga ut" in r.content.decode()


def test_the_language_switch_chooses_english(seller_client):
    r = seller_client.post("/i18n/setlang/", {"language": "en", "next": "/offerter/"})
    assert r.status_code == 302
    r = seller_client.get("/offerter/")
    assert r["Content-Language"] == "en"
