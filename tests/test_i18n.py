"""French and English: every template string through the catalogue, both catalogues complete, the
demo store in French by default, a language switch, money and dates per locale, paper in the store's
language."""

from __future__ import annotations

import re

import pytest

from core.messages import Message
from core.translation_catalogues import catalogue_problems, template_problems, untranslated_literals
from kiosk.translations import KIOSK
from testing.samples import ADULT_SELLER
from tests.conftest import KioskClient, make_app, run_to_quote


def test_no_template_has_an_untranslated_literal():
    assert template_problems(KIOSK) == []


def test_both_catalogues_hold_every_string_with_the_same_placeholders():
    assert catalogue_problems(KIOSK) == []


@pytest.mark.parametrize("source, found", [
    ("<p>Hello</p>", ["Hello"]),
    ('<input placeholder="Your name">', ["Your name"]),
    ('<button aria-label="Close">×</button>', ["Close"]),
    ('{{ "Phone" if x else "Tablet" }}', ['"Phone"', '"Tablet"']),
    ('{% set steps = [("device", "Device")] %}', ['"Device"']),
    ("<p>{{ _('Hello') }}</p>", []),
    ("<p>{% trans %}Hello{% endtrans %}</p>", []),
    ('<a href="{{ url_for(\'today.today\') }}" class="button primary">{{ x }}</a>', []),
    ("<p>{{ t.code }} · {{ n }} · —</p>", []),
])
def test_the_literal_finder_flags_text_that_bypasses_the_catalogue(source, found):
    assert untranslated_literals(source) == found


def test_the_demo_store_speaks_french_until_someone_switches(tmp_path):
    app = make_app(tmp_path / "instance", LANGUAGE="")  # the store's language: fr_FR
    client = KioskClient(app.test_client())
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Connexion du personnel" in page
    customer = KioskClient(app.test_client())
    start = customer.get("/customer/").get_data(as_text=True)
    assert "Combien vaut votre appareil ?" in start and 'aria-current="true" class="current">Français' in start
    switched = customer.post("/lang", {"lang": "en", "next": "/customer/"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/customer/"
    assert "How much is your device worth?" in customer.get("/customer/").get_data(as_text=True)
    assert customer.post("/lang", {"lang": "de"}).status_code == 400
    assert customer.post("/lang", {"lang": "en", "next": "//evil.example/"}).headers["Location"] == "/"


def test_money_and_dates_follow_the_reader_and_paper_follows_the_store(tmp_path):
    app = make_app(tmp_path / "instance", LANGUAGE="")
    staff = KioskClient(app.test_client())
    staff.login(app)
    uuid = run_to_quote(staff)
    french = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
    staff.post("/lang", {"lang": "en"})
    english = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
    french_date = re.search(r"offre valable jusqu’au ([^<]+)</p>|offre valable jusqu'au ([^<]+)</p>", french)
    english_date = re.search(r"offer valid until ([^<]+)</p>", english)
    assert french_date and english_date
    assert (french_date.group(1) or french_date.group(2)).strip() != english_date.group(1).strip()
    assert re.search(r"\d+,\d\d\s€", french)  # CLDR fr_FR
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    receipt = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)  # the clerk reads English...
    assert "Offer" in english and "REÇU DE REPRISE" in receipt and "TOTAL PAYÉ" in receipt  # ...paper: French


def test_refusals_from_domain_code_reach_the_reader_translated(tmp_path):
    app = make_app(tmp_path / "instance", LANGUAGE="")
    staff = KioskClient(app.test_client())
    staff.login(app)
    response = staff.post("/tradeins", {"device_kind": "phone", "identifier": "35209900176148"})
    assert response.status_code == 422
    assert "Trop court : 14 chiffres." in response.get_data(as_text=True)


def test_a_message_reads_as_english_and_keeps_its_values():
    message = Message("Too short: %(count)s digits.", count=14)
    assert message == "Too short: 14 digits." and message.to_json() == {
        "msgid": "Too short: %(count)s digits.", "params": {"count": 14}}


def test_every_template_folder_is_extracted():
    """Babel's extraction skips folders whose name starts with "_": a template there would never be translated."""
    from pathlib import Path

    templates = Path(__file__).parent.parent / "kiosk" / "templates"
    assert not [d for d in templates.rglob("*") if d.is_dir() and d.name.startswith(("_", "."))]


@pytest.mark.parametrize("language, said", [("fr", "Aucune reprise ne correspond à « "),
                                            ("en", "No trade-in matches “")])
def test_a_typed_search_is_shown_back_escaped_and_as_typed_in_each_language(staff, language, said):
    """A clerk's search comes back inside a translated sentence (Jinja's newstyle gettext): its markup is
    escaped and its percent signs are kept as typed, whichever language reads it."""
    staff.post("/lang", {"lang": language, "next": "/tradeins"})
    typed = '<img src=x onerror=alert(1)> 50%% %(q)s'
    page = staff.get("/tradeins", query_string={"q": typed},
                     headers={"HX-Request": "true", "HX-Target": "tradein-rows"}).get_data(as_text=True)
    assert said + "&lt;img src=x onerror=alert(1)&gt; 50%% %(q)s" in page, page
    assert "<img" not in page
