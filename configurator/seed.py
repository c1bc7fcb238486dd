"""The seed price list: Telia's Smart Connect price list (shared/seed), as item codes.

Used once, by the data migration ``0002_seed_price_list``. Names and footnotes are the
source's words; the only change is footnote 9's "0,69 öre", which is 0,69 kr as the SMS
table and the spec say.
"""

from decimal import Decimal as D

PRICE_LIST = {"name": "Smart Connect prislista 2026", "valid_from": "2026-01-01", "vat_rate": D("0.25")}

# (ref, term title, text)
FOOTNOTES = [
    ("1", "Uppstartshjälp",
     "I uppstartshjälp ingår konfiguration av upp till; Två samtalsflöden till "
     "huvudfunktionsnumret, 5 köer, en standard-meny och schema. Det ingår max 90 minuters "
     "konfiguration i bastjänsten, för ytterligare konfiguration 899 SEK/ärende"),
    ("2", "Utbildning",
     "I Utbildning halvdag/heldag ingår distansutbildning via Teams, upp till 3 timmar för "
     "halvdag och upp till 6 timmar för heldag. Önskas utbildningar på plats tillkommer "
     "kostnader för restidsersättning och faktiska resekostnader."),
    ("3", "Fakturering",
     "Tillval för användaren faktureras som tillägg på mobilabonnemanget. Tillval på "
     "företagsnivå faktureras på företaget."),
    ("4", "Integrationer",
     "Aktivering av tilläggstjänster på företagsnivå behöver kompletteras med "
     "tilläggstjänster på användarnivå (gäller för Implementering Teamsintegration, "
     "Implementering AD-integration och Implementering Kalenderintegration)."),
    ("5", "Funktionsnummer",
     "Funktionsnummer avser nummer som kopplas till antingen menyval eller köer."),
    ("6", "Telia Svarsservice",
     "För implementation av Svarsservice krävs tillvalet vägledd leverans. Avser Paket 10, "
     "10 samtal/dag, helgfria vardagar 07.00–18.00. För övriga paket (20, 40, 60, 80, 100) "
     "kontakta din säljare."),
    ("7", "API Access",
     "Tilläggstjänsten API Access omfattar alltid alla användare i lösningen och faktureras "
     "på företaget, pris per användare."),
    ("8", "Samtalsinspelning",
     "Avtal för lagring av samtalsinspelningar tecknas separat med Touch Call recording."),
    ("9", "NPS Enkät",
     "Tilläggstjänsten NPS Enkät, obegränsat antal enkäter ingår. En avgift per sms som "
     "skickas ut med enkät 0,69 kr till svenska telefonnummer, samt 1,29 kr till utländska "
     "telefonnummer."),
    ("sms-1", "SMS", "Gäller ej betal-SMS"),
    ("calls-1", "Förmedlade tjänster och betalnummer",
     "Gäller inte samtal till förmedlade tjänster som t.ex. nummerupplysning, betalnummer "
     "(t.ex. 099, 0771, 077, 0900, 0939, 0944)."),
    ("calls-2", "Debitering av samtal", "Debiteras per 60-sekunders intervall."),
    ("calls-3", "Internsamtal",
     "Gäller övrig trafik till mobilnummer som tillhör men inte ingår i växellösningen. "
     "Gäller även övrig trafik till utvalda fasta nummer som tillhör Kunden"),
    ("calls-abroad", "Samtal till utlandet", "Samtal till utlandet: se utlandsprislista."),
    ("traffic", "Övrig trafik",
     "Samtalstrafik mellan användare och grupper i lösningen är kostnadsfria inom Sverige. "
     "Det gäller även samtalstrafik till tjänstens röstbrevlådor. Vid utgående trafik från "
     "anslutna användare gäller mobilabonnemangets samtalsavgifter."),
]

# code, name, section, billed_to, one_time, monthly, usage_price, free_quota, on_request, footnote
_U, _C, _D, _T = "user", "company", "delivery", "traffic"
_M, _CO = "mobile", "company"
ITEMS = [
    ("mobile_user", "Användare med mobilt nummer", _U, _M, None, D("89"), None, None, False, "3"),
    ("fixed_number", "Fastnummer till mobil användare", _U, _M, None, D("39"), None, None, False, "3"),
    ("softphone", "Softphone", _U, _M, None, D("29"), None, None, False, "3"),
    ("calendar", "Kalenderintegration", _U, _M, None, D("19"), None, None, False, "4"),
    ("teams_status", "Teamsintegration – Status", _U, _M, None, D("9"), None, None, False, "4"),
    ("teams_voice", "Teamsintegration – Voice", _U, _M, None, D("29"), None, None, False, "4"),
    ("ad", "AD-Integration", _U, _M, None, D("9"), None, None, False, "4"),
    ("call_recording", "Samtalsinspelning", _U, _M, None, D("29"), None, None, False, "8"),
    ("function_number", "Funktionsnummer", _C, _CO, None, D("99"), None, None, False, "5"),
    ("number_series_10", "Ny 10-nummerserie", _C, _CO, D("1000"), None, None, None, False, None),
    ("number_series_100", "Ny 100-nummerserie", _C, _CO, D("3000"), None, None, None, False, None),
    ("number_series_1000", "Ny 1 000-nummerserie", _C, _CO, D("9000"), None, None, None, False, None),
    ("answering_service_10", "Telia Svarsservice, paket 10", _C, _CO, None, D("4710"), None, None, False, "6"),
    ("answering_service_20", "Telia Svarsservice, paket 20", _C, _CO, None, None, None, None, True, "6"),
    ("answering_service_40", "Telia Svarsservice, paket 40", _C, _CO, None, None, None, None, True, "6"),
    ("answering_service_60", "Telia Svarsservice, paket 60", _C, _CO, None, None, None, None, True, "6"),
    ("answering_service_80", "Telia Svarsservice, paket 80", _C, _CO, None, None, None, None, True, "6"),
    ("answering_service_100", "Telia Svarsservice, paket 100", _C, _CO, None, None, None, None, True, "6"),
    ("impl_calendar", "Implementering Kalenderintegration", _C, _CO, D("1990"), None, None, None, False, "4"),
    ("impl_teams", "Implementering Teamsintegration", _C, _CO, D("1990"), None, None, None, False, "4"),
    ("impl_ad", "Implementering AD-integration", _C, _CO, D("1990"), None, None, None, False, "4"),
    ("api_access", "Implementering API Access", _C, _CO, D("1990"), D("9"), None, None, False, "7"),
    ("impl_call_recording", "Implementering Samtalsinspelning", _C, _CO, D("1990"), None, None, None, False, "8"),
    ("nps_survey", "NPS Enkät", _C, _CO, D("1990"), D("499"), None, None, False, "9"),
    ("self_config", "Egen konfiguration med hjälp av digitala guider", _D, _CO, D("0"), None, None, None, False, None),
    ("startup_help", "Uppstartshjälp med tekniker", _D, _CO, D("2499"), None, None, None, False, "1"),
    ("guided_delivery", "Vägledd leverans", _D, _CO, D("9995"), None, None, None, False, None),
    ("extra_config", "Ytterligare konfiguration (per ärende)", _D, _CO, D("899"), None, None, None, False, "1"),
    ("training_half_day", "Utbildning halvdag", _D, _CO, D("5990"), None, None, None, False, "2"),
    ("training_full_day", "Utbildning heldag", _D, _CO, D("9990"), None, None, None, False, "2"),
    ("sms_domestic", "SMS till svenska telefonnummer", _T, _CO, None, None, D("0.69"), 500, False, "sms-1"),
    ("sms_foreign", "SMS till utländska telefonnummer (oavsett destination)", _T, _CO, None, None, D("1.29"), None, False, "sms-1"),
    ("call_opening", "Öppningsavgift, talsamtal (fasta nät, Telia mobil, övriga mobilnät i Sverige)", _T, _CO, None, None, D("0.45"), None, False, "calls-1"),
    ("call_minute", "Minuttaxa, talsamtal", _T, _CO, None, None, D("0.39"), None, False, "calls-2"),
    ("nps_sms_domestic", "NPS-enkät, SMS till svenska nummer", _T, _CO, None, None, D("0.69"), None, False, "9"),
    ("nps_sms_foreign", "NPS-enkät, SMS till utländska nummer", _T, _CO, None, None, D("1.29"), None, False, "9"),
]


def load(PriceList, Footnote, PriceItem, *, status="published"):
    """Create the seed price list with the given (possibly historical) model classes."""
    from datetime import date

    pl = PriceList.objects.create(
        name=PRICE_LIST["name"],
        valid_from=date.fromisoformat(PRICE_LIST["valid_from"]),
        status=status,
        vat_rate=PRICE_LIST["vat_rate"],
    )
    notes = {
        ref: Footnote.objects.create(price_list=pl, ref=ref, term_title=title, text=text)
        for ref, title, text in FOOTNOTES
    }
    PriceItem.objects.bulk_create(
        PriceItem(
            price_list=pl, code=code, name=name, section=section, billed_to=billed,
            one_time_fee=one_time, monthly_fee=monthly, usage_price=usage, free_quota=free,
            price_on_request=on_request, footnote=notes.get(ref) if ref else None,
            sort_order=(i + 1) * 10,
        )
        for i, (code, name, section, billed, one_time, monthly, usage, free, on_request, ref)
        in enumerate(ITEMS)
    )
    return pl
