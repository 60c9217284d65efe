"""Synthetic help-center content for the benchmarks (shared by bench/build.py and later bench scripts).

``make_help_center(root, n)`` writes a Deflect project laid out like the example help center
(``mkdocs.yml`` with the ``deflect/content`` plugin, ``articles/categories.yml``,
``articles/<lang>/<slug>.md``, ``faq/<lang>/<slug>.md``, front matter as in CONTENT_GUIDE.md).
``make_plain_material(root, n)`` writes the *same* pages as a plain Material for MkDocs site
(front matter removed, title as ``#`` heading, ``navigation.prune`` and the built-in search
plugin), the anchor the benchmarks compare against.

Everything is deterministic for a given ``seed`` and size: text is composed from the parallel
word lists below (row *i* means the same thing in every language), so a "translation" uses the
same sentence patterns and word indices as its English source and keeps its heading ids and
link targets, as the content guide asks translators to do. Only review dates follow ``today``,
so that ``deflect check`` reports no overdue reviews whenever it runs.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

LANGS = ("en", "hr", "et", "tl")
LANGUAGE_NAMES = {"en": "English", "hr": "Hrvatski", "et": "Eesti", "tl": "Tagalog"}
# More site languages for the many-languages benchmark: each borrows the words of a language above
# (the text is not a real translation; only the site's shape and page count matter there).
EXTRA_LANGS = {"de": ("en", "Deutsch"), "fr": ("en", "Français"), "es": ("en", "Español"),
               "it": ("en", "Italiano"), "pt": ("en", "Português"), "nl": ("en", "Nederlands"),
               "pl": ("hr", "Polski"), "fi": ("et", "Suomi")}
LANGUAGE_NAMES.update({code: name for code, (_, name) in EXTRA_LANGS.items()})
LANGS_12 = (*LANGS, *EXTRA_LANGS)

# ----- word lists: one row per meaning, columns en, hr, et, tl ------------------------------------
NOUNS = [
    ("account", "račun", "konto", "account"),
    ("password", "lozinka", "parool", "password"),
    ("order", "narudžba", "tellimus", "order"),
    ("parcel", "paket", "pakk", "pakete"),
    ("device", "uređaj", "seade", "device"),
    ("hub", "čvorište", "jaotur", "hub"),
    ("plug", "utičnica", "pistik", "saksakan"),
    ("bulb", "žarulja", "pirn", "bumbilya"),
    ("camera", "kamera", "kaamera", "camera"),
    ("app", "aplikacija", "rakendus", "app"),
    ("setting", "postavka", "seadistus", "setting"),
    ("network", "mreža", "võrk", "network"),
    ("router", "usmjerivač", "ruuter", "router"),
    ("signal", "signal", "signaal", "signal"),
    ("light", "svjetlo", "tuli", "ilaw"),
    ("schedule", "raspored", "ajakava", "iskedyul"),
    ("automation", "automatizacija", "automaatika", "automation"),
    ("room", "soba", "tuba", "kuwarto"),
    ("home", "dom", "kodu", "bahay"),
    ("member", "član", "liige", "miyembro"),
    ("invoice", "faktura", "arve", "resibo"),
    ("payment", "plaćanje", "makse", "bayad"),
    ("card", "kartica", "kaart", "card"),
    ("refund", "povrat novca", "raha tagastus", "refund"),
    ("return", "povrat", "tagastus", "pagbabalik"),
    ("label", "naljepnica", "silt", "label"),
    ("warranty", "jamstvo", "garantii", "warranty"),
    ("delivery", "dostava", "tarne", "delivery"),
    ("courier", "kurir", "kuller", "kurier"),
    ("address", "adresa", "aadress", "address"),
    ("code", "kod", "kood", "code"),
    ("email", "e-poruka", "e-kiri", "email"),
    ("message", "poruka", "sõnum", "mensahe"),
    ("notification", "obavijest", "teavitus", "abiso"),
    ("update", "ažuriranje", "uuendus", "update"),
    ("firmware", "firmver", "püsivara", "firmware"),
    ("battery", "baterija", "aku", "baterya"),
    ("adapter", "adapter", "adapter", "adapter"),
    ("cable", "kabel", "kaabel", "kable"),
    ("socket", "zidna utičnica", "pistikupesa", "outlet"),
    ("button", "gumb", "nupp", "button"),
    ("screen", "zaslon", "ekraan", "screen"),
    ("profile", "profil", "profiil", "profile"),
    ("subscription", "pretplata", "püsitellimus", "subscription"),
    ("recording", "snimka", "salvestis", "recording"),
    ("clip", "isječak", "klipp", "clip"),
    ("storage", "pohrana", "mälu", "storage"),
    ("report", "izvješće", "aruanne", "ulat"),
    ("request", "zahtjev", "taotlus", "kahilingan"),
    ("form", "obrazac", "vorm", "form"),
    ("chat", "razgovor", "vestlus", "chat"),
    ("team", "tim", "meeskond", "koponan"),
    ("country", "zemlja", "riik", "bansa"),
    ("language", "jezik", "keel", "wika"),
    ("price", "cijena", "hind", "presyo"),
    ("discount", "popust", "allahindlus", "diskwento"),
    ("basket", "košarica", "ostukorv", "basket"),
    ("receipt", "potvrda", "kviitung", "resibo ng bayad"),
    ("tracking", "praćenje", "jälgimine", "tracking"),
    ("number", "broj", "number", "numero"),
    ("status", "status", "olek", "status"),
    ("error", "pogreška", "viga", "error"),
    ("problem", "problem", "probleem", "problema"),
    ("fault", "kvar", "rike", "sira"),
    ("connection", "veza", "ühendus", "koneksyon"),
    ("sensor", "senzor", "andur", "sensor"),
    ("door", "vrata", "uks", "pinto"),
    ("window", "prozor", "aken", "bintana"),
    ("speaker", "zvučnik", "kõlar", "speaker"),
    ("assistant", "pomoćnik", "abiline", "katulong"),
    ("scene", "scena", "stseen", "eksena"),
    ("timer", "mjerač vremena", "taimer", "timer"),
    ("alarm", "alarm", "häire", "alarma"),
    ("guest", "gost", "külaline", "bisita"),
    ("owner", "vlasnik", "omanik", "may-ari"),
    ("permission", "dopuštenje", "luba", "pahintulot"),
    ("link", "poveznica", "link", "link"),
    ("page", "stranica", "leht", "pahina"),
    ("menu", "izbornik", "menüü", "menu"),
    ("tab", "kartica", "vahekaart", "tab"),
    ("list", "popis", "nimekiri", "listahan"),
    ("folder", "mapa", "kaust", "folder"),
    ("file", "datoteka", "fail", "file"),
    ("photo", "fotografija", "foto", "larawan"),
    ("video", "videozapis", "video", "video"),
    ("view", "prikaz", "vaade", "view"),
    ("zone", "zona", "tsoon", "zone"),
    ("week", "tjedan", "nädal", "linggo"),
    ("day", "dan", "päev", "araw"),
    ("hour", "sat", "tund", "oras"),
    ("minute", "minuta", "minut", "minuto"),
    ("shop", "trgovina", "pood", "tindahan"),
    ("customer", "kupac", "klient", "customer"),
    ("support", "podrška", "tugi", "suporta"),
    ("user", "korisnik", "kasutaja", "user"),
    ("phone", "mobitel", "telefon", "telepono"),
    ("box", "kutija", "karp", "kahon"),
    ("key", "ključ", "võti", "susi"),
    ("voucher", "vaučer", "kinkekaart", "voucher"),
    ("region", "regija", "piirkond", "rehiyon"),
    ("warehouse", "skladište", "ladu", "bodega"),
    ("backup", "sigurnosna kopija", "varukoopia", "backup"),
    ("history", "povijest", "ajalugu", "kasaysayan"),
    ("plan", "paket usluga", "pakett", "plan"),
    ("tablet", "tablet", "tahvelarvuti", "tablet"),
    ("mode", "način rada", "režiim", "mode"),
    ("channel", "kanal", "kanal", "channel"),
    ("password manager", "upravitelj lozinki", "paroolihaldur", "password manager"),
    ("sign-in", "prijava", "sisselogimine", "pag-sign in"),
    ("data", "podaci", "andmed", "data"),
]

VERBS = [
    ("check", "provjerite", "kontrollige", "tingnan"),
    ("open", "otvorite", "avage", "buksan"),
    ("tap", "dodirnite", "puudutage", "i-tap"),
    ("select", "odaberite", "valige", "piliin"),
    ("change", "promijenite", "muutke", "palitan"),
    ("update", "ažurirajte", "uuendage", "i-update"),
    ("reset", "resetirajte", "lähtestage", "i-reset"),
    ("restart", "ponovno pokrenite", "taaskäivitage", "i-restart"),
    ("add", "dodajte", "lisage", "idagdag"),
    ("remove", "uklonite", "eemaldage", "alisin"),
    ("share", "podijelite", "jagage", "ibahagi"),
    ("connect", "povežite", "ühendage", "ikonekta"),
    ("pair", "uparite", "siduge", "i-pair"),
    ("confirm", "potvrdite", "kinnitage", "kumpirmahin"),
    ("enter", "unesite", "sisestage", "ilagay"),
    ("choose", "izaberite", "valige välja", "pumili ng"),
    ("download", "preuzmite", "laadige alla", "i-download"),
    ("save", "spremite", "salvestage", "i-save"),
    ("cancel", "otkažite", "tühistage", "kanselahin"),
    ("track", "pratite", "jälgige", "i-track"),
    ("return", "vratite", "tagastage", "ibalik"),
    ("replace", "zamijenite", "asendage", "palitan ang"),
    ("clean", "očistite", "puhastage", "linisin"),
    ("move", "premjestite", "teisaldage", "ilipat"),
    ("rename", "preimenujte", "nimetage ümber", "i-rename"),
    ("enable", "uključite", "lülitage sisse", "i-on"),
    ("disable", "isključite", "lülitage välja", "i-off"),
    ("review", "pregledajte", "vaadake üle", "suriin"),
    ("request", "zatražite", "taotlege", "hilingin"),
    ("find", "pronađite", "leidke", "hanapin"),
    ("set up", "postavite", "seadistage", "i-set up"),
    ("create", "izradite", "looge", "gumawa ng"),
    ("delete", "izbrišite", "kustutage", "burahin"),
    ("verify", "potvrdite ispravnost", "kontrollige üle", "i-verify"),
    ("refresh", "osvježite", "värskendage", "i-refresh"),
    ("unplug", "iskopčajte", "eemaldage vooluvõrgust", "i-unplug"),
    ("hold", "držite", "hoidke", "hawakan"),
    ("press", "pritisnite", "vajutage", "pindutin"),
    ("scan", "skenirajte", "skannige", "i-scan"),
    ("follow", "slijedite", "järgige", "sundin"),
    ("keep", "zadržite", "säilitage", "panatilihin"),
    ("test", "isprobajte", "testige", "subukan"),
    ("compare", "usporedite", "võrrelge", "ikumpara"),
    ("adjust", "prilagodite", "kohandage", "ayusin"),
    ("pause", "pauzirajte", "peatage", "i-pause"),
    ("install", "instalirajte", "installige", "i-install"),
    ("allow", "dopustite", "lubage", "payagan"),
    ("block", "blokirajte", "blokeerige", "i-block"),
    ("export", "izvezite", "eksportige", "i-export"),
    ("restore", "vratite u prethodno stanje", "taastage", "i-restore"),
    ("pay for", "platite", "makske", "bayaran"),
    ("print", "ispišite", "printige", "i-print"),
    ("sort", "razvrstajte", "sorteerige", "ayusin ayon sa"),
    ("name", "imenujte", "nimetage", "pangalanan"),
]

ADJECTIVES = [
    ("new", "novi", "uus", "bago"),
    ("old", "stari", "vana", "luma"),
    ("main", "glavni", "peamine", "pangunahing"),
    ("second", "drugi", "teine", "pangalawang"),
    ("spare", "rezervni", "varu", "ekstra"),
    ("smart", "pametni", "nutikas", "matalinong"),
    ("quick", "brzi", "kiire", "mabilis"),
    ("slow", "spori", "aeglane", "mabagal"),
    ("steady", "stalni", "püsiv", "tuloy-tuloy"),
    ("blue", "plavi", "sinine", "asul"),
    ("white", "bijeli", "valge", "puti"),
    ("orange", "narančasti", "oranž", "orange"),
    ("red", "crveni", "punane", "pula"),
    ("green", "zeleni", "roheline", "berde"),
    ("local", "lokalni", "kohalik", "lokal"),
    ("shared", "zajednički", "jagatud", "shared"),
    ("private", "privatni", "privaatne", "pribado"),
    ("secure", "sigurni", "turvaline", "ligtas"),
    ("weak", "slabi", "nõrk", "mahina"),
    ("strong", "jaki", "tugev", "malakas"),
    ("empty", "prazni", "tühi", "walang laman"),
    ("default", "zadani", "vaikimisi", "default"),
    ("custom", "prilagođeni", "kohandatud", "custom"),
    ("weekly", "tjedni", "iganädalane", "lingguhang"),
    ("daily", "dnevni", "igapäevane", "araw-araw"),
    ("monthly", "mjesečni", "igakuine", "buwanang"),
    ("first", "prvi", "esimene", "unang"),
    ("last", "zadnji", "viimane", "huling"),
    ("wrong", "pogrešni", "vale", "maling"),
    ("missing", "nestali", "puuduv", "nawawalang"),
    ("damaged", "oštećeni", "kahjustatud", "sirang"),
    ("original", "izvorni", "algne", "orihinal"),
    ("free", "besplatni", "tasuta", "libreng"),
    ("paid", "plaćeni", "tasuline", "bayad na"),
    ("current", "trenutačni", "praegune", "kasalukuyang"),
    ("previous", "prethodni", "eelmine", "nakaraang"),
    ("correct", "ispravni", "õige", "tamang"),
    ("active", "aktivni", "aktiivne", "aktibong"),
    ("offline", "izvanmrežni", "võrguühenduseta", "offline"),
    ("silent", "tihi", "vaikne", "tahimik"),
    ("bright", "svijetli", "hele", "maliwanag"),
    ("small", "mali", "väike", "maliit"),
    ("large", "veliki", "suur", "malaki"),
    ("short", "kratki", "lühike", "maikli"),
    ("long", "dugi", "pikk", "mahaba"),
    ("automatic", "automatski", "automaatne", "awtomatikong"),
    ("manual", "ručni", "käsitsi", "manwal"),
    ("temporary", "privremeni", "ajutine", "pansamantalang"),
]

# Sentence patterns: per kind, a list of (slot kinds, {lang: format string}); {0}, {1}... are the slots.
PATTERNS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "title": [
        ("VAN", {"en": "{0} the {1} {2}", "hr": "{0} {1} {2}", "et": "{0} {1} {2}", "tl": "{0} ang {1} {2}"}),
        ("NA", {"en": "The {0} is {1}", "hr": "{0} je {1}", "et": "{0} on {1}", "tl": "{1} ang {0}"}),
        ("VNN", {"en": "{0} your {1} and {2}", "hr": "{0} {1} i {2}", "et": "{0} oma {1} ja {2}",
                 "tl": "{0} ang iyong {1} at {2}"}),
        ("ANN", {"en": "{0} {1} for your {2}", "hr": "{0} {1} za vaš {2}", "et": "{0} {1} teie {2} jaoks",
                 "tl": "{0} {1} para sa iyong {2}"}),
        ("VANN", {"en": "{0} a {1} {2} on the {3}", "hr": "{0} {1} {2} na {3}", "et": "{0} {1} {2} {3} peal",
                  "tl": "{0} ang {1} {2} sa {3}"}),
    ],
    "heading": [
        ("VN", {"en": "{0} the {1}", "hr": "{0} {1}", "et": "{0} {1}", "tl": "{0} ang {1}"}),
        ("AN", {"en": "{0} {1}", "hr": "{0} {1}", "et": "{0} {1}", "tl": "{0} {1}"}),
        ("NN", {"en": "{0} and {1}", "hr": "{0} i {1}", "et": "{0} ja {1}", "tl": "{0} at {1}"}),
        ("VAN", {"en": "{0} the {1} {2}", "hr": "{0} {1} {2}", "et": "{0} {1} {2}", "tl": "{0} ang {1} {2}"}),
    ],
    "body": [
        ("VANVN", {"en": "{0} the {1} {2} before you {3} the {4}.", "hr": "{0} {1} {2}, a zatim {3} {4}.",
                   "et": "{0} {1} {2} ja seejärel {3} {4}.", "tl": "{0} ang {1} {2} bago {3} ang {4}."}),
        ("NAVNAN", {"en": "If the {0} is {1}, {2} the {3} and check the {4} {5} again.",
                    "hr": "Ako je {0} {1}, {2} {3} i ponovno provjerite {4} {5}.",
                    "et": "Kui {0} on {1}, {2} {3} ja kontrollige uuesti {4} {5}.",
                    "tl": "Kung {1} ang {0}, {2} ang {3} at tingnan muli ang {4} {5}."}),
        ("NNAN", {"en": "The {0} on your {1} shows the {2} {3} for a few minutes.",
                  "hr": "{0} na vašem {1} nekoliko minuta prikazuje {2} {3}.",
                  "et": "Teie {1} {0} näitab mõne minuti jooksul {2} {3}.",
                  "tl": "Ipinapakita ng {0} sa iyong {1} ang {2} {3} nang ilang minuto."}),
        ("VNN", {"en": "Open the {2} tab in the app and {0} the {1}.",
                 "hr": "Otvorite karticu {2} u aplikaciji i {0} {1}.",
                 "et": "Avage rakenduses vahekaart {2} ja {0} {1}.",
                 "tl": "Buksan ang tab na {2} sa app at {0} ang {1}."}),
        ("NVAN", {"en": "Most {0} problems go away when you {1} the {2} {3}.",
                  "hr": "Većina problema s {0} nestane kada {1} {2} {3}.",
                  "et": "Enamik {0} probleeme kaob, kui {1} {2} {3}.",
                  "tl": "Karamihan ng problema sa {0} ay nawawala kapag {1} ang {2} {3}."}),
        ("NNA", {"en": "We review every {0} within two business days, and your {1} stays {2} in the meantime.",
                 "hr": "Svaki {0} pregledavamo u roku od dva radna dana, a vaš {1} u međuvremenu ostaje {2}.",
                 "et": "Vaatame iga {0} üle kahe tööpäeva jooksul ja teie {1} jääb seni {2}.",
                 "tl": "Sinusuri namin ang bawat {0} sa loob ng dalawang araw ng trabaho, "
                       "at mananatiling {2} ang iyong {1}."}),
        ("ANN", {"en": "A {0} {1} usually means that the {2} needs a moment.",
                 "hr": "{0} {1} obično znači da {2} treba trenutak.",
                 "et": "{0} {1} tähendab tavaliselt, et {2} vajab hetke.",
                 "tl": "Ang {0} {1} ay karaniwang nangangahulugang kailangan ng {2} ng sandali."}),
        ("VNVAN", {"en": "{0} the {1}, then {2} the {3} {4}.", "hr": "{0} {1}, zatim {2} {3} {4}.",
                   "et": "{0} {1}, seejärel {2} {3} {4}.", "tl": "{0} ang {1}, pagkatapos ay {2} ang {3} {4}."}),
        ("NAN", {"en": "Your {0} keeps working while the {1} {2} is being updated.",
                 "hr": "Vaš {0} radi i dok se {1} {2} ažurira.",
                 "et": "Teie {0} töötab edasi ka siis, kui {1} {2} uueneb.",
                 "tl": "Gumagana pa rin ang iyong {0} habang ina-update ang {1} {2}."}),
        ("NVN", {"en": "Every {0} in your home can {1} the {2} on its own.",
                 "hr": "Svaki {0} u vašem domu može sam {1} {2}.",
                 "et": "Iga {0} teie kodus saab ise {1} {2}.",
                 "tl": "Kaya ng bawat {0} sa iyong bahay na {1} ang {2} nang mag-isa."}),
    ],
    "step": [
        ("VAN", {"en": "{0} the {1} {2}.", "hr": "{0} {1} {2}.", "et": "{0} {1} {2}.", "tl": "{0} ang {1} {2}."}),
        ("NN", {"en": "Tap **{0}** > **{1}**.", "hr": "Dodirnite **{0}** > **{1}**.",
                "et": "Puudutage **{0}** > **{1}**.", "tl": "I-tap ang **{0}** > **{1}**."}),
        ("VNN", {"en": "{0} the {1} and wait for the {2}.", "hr": "{0} {1} i pričekajte {2}.",
                 "et": "{0} {1} ja oodake {2}.", "tl": "{0} ang {1} at hintayin ang {2}."}),
    ],
    "question": [
        ("NA", {"en": "Is the {0} {1} now?", "hr": "Je li {0} sada {1}?", "et": "Kas {0} on nüüd {1}?",
                "tl": "{1} na ba ang {0}?"}),
        ("VN", {"en": "Could you {0} the {1}?", "hr": "Jeste li uspjeli: {0} {1}?", "et": "Kas õnnestus: {0} {1}?",
                "tl": "Nagawa mo bang {0} ang {1}?"}),
    ],
    "faq": [
        ("VAN", {"en": "How do I {0} the {1} {2}?", "hr": "Kako da {0} {1} {2}?", "et": "Kuidas {0} {1} {2}?",
                 "tl": "Paano {0} ang {1} {2}?"}),
        ("NA", {"en": "Why is my {0} {1}?", "hr": "Zašto je moj {0} {1}?", "et": "Miks on minu {0} {1}?",
                "tl": "Bakit {1} ang aking {0}?"}),
        ("VN", {"en": "Can I {0} my {1} later?", "hr": "Mogu li kasnije: {0} {1}?", "et": "Kas saan hiljem: {0} {1}?",
                "tl": "Puwede ko bang {0} ang aking {1} mamaya?"}),
    ],
}

PHRASES = {
    "en": {"yes": "Yes", "no": "No", "contact": "Still not working?", "related": "Related articles",
           "see": "See also", "next": "Then go on to the next step.",
           "contact_text": "Contact us through the help form or the chat in the app, and tell us which steps you tried.",
           "faq_more": "More in"},
    "hr": {"yes": "Da", "no": "Ne", "contact": "I dalje ne radi?", "related": "Povezani članci",
           "see": "Pogledajte i", "next": "Zatim prijeđite na sljedeći korak.",
           "contact_text": "Javite nam se putem obrasca za pomoć ili razgovora u aplikaciji i recite nam koje ste korake isprobali.",
           "faq_more": "Više u članku"},
    "et": {"yes": "Jah", "no": "Ei", "contact": "Ikka ei tööta?", "related": "Seotud artiklid",
           "see": "Vaadake ka", "next": "Seejärel minge järgmise sammu juurde.",
           "contact_text": "Võtke meiega ühendust abivormi või rakenduse vestluse kaudu ja kirjutage, milliseid samme proovisite.",
           "faq_more": "Lähemalt artiklis"},
    "tl": {"yes": "Oo", "no": "Hindi", "contact": "Hindi pa rin gumagana?", "related": "Mga kaugnay na artikulo",
           "see": "Tingnan din ang", "next": "Pagkatapos, pumunta sa susunod na hakbang.",
           "contact_text": "Makipag-ugnayan sa amin sa help form o sa chat sa app, at sabihin kung aling mga hakbang ang sinubukan mo.",
           "faq_more": "Higit pa sa"},
}

# Ten categories: slug, icon, then (title, description) per language.
CATEGORIES = [
    ("account", "material/account-circle-outline", {
        "en": ("Account and sign-in", "Create your account, sign in and keep it secure."),
        "hr": ("Račun i prijava", "Otvorite račun, prijavite se i zaštitite ga."),
        "et": ("Konto ja sisselogimine", "Looge konto, logige sisse ja hoidke see turvalisena."),
        "tl": ("Account at pag-sign in", "Gumawa ng account, mag-sign in at panatilihin itong ligtas.")}),
    ("orders", "material/cart-outline", {
        "en": ("Orders", "Place, change and cancel orders in the web shop."),
        "hr": ("Narudžbe", "Naručite, izmijenite i otkažite narudžbe u web-trgovini."),
        "et": ("Tellimused", "Esitage, muutke ja tühistage tellimusi e-poes."),
        "tl": ("Mga order", "Mag-order, magbago at magkansela sa web shop.")}),
    ("payments", "material/credit-card-outline", {
        "en": ("Payments and invoices", "Payment methods, declined cards and invoices."),
        "hr": ("Plaćanje i računi", "Načini plaćanja, odbijene kartice i računi."),
        "et": ("Maksed ja arved", "Makseviisid, tagasi lükatud kaardid ja arved."),
        "tl": ("Bayad at resibo", "Mga paraan ng pagbabayad, tinanggihang card at resibo.")}),
    ("shipping", "material/truck-delivery-outline", {
        "en": ("Shipping and delivery", "Delivery options, costs, times and tracking."),
        "hr": ("Dostava", "Načini dostave, cijene, rokovi i praćenje pošiljke."),
        "et": ("Tarne", "Tarneviisid, hinnad, ajad ja saadetise jälgimine."),
        "tl": ("Pagpapadala at delivery", "Mga paraan ng pagpapadala, gastos, tagal at pag-track.")}),
    ("returns", "material/keyboard-return", {
        "en": ("Returns and refunds", "Send something back and get your money back."),
        "hr": ("Povrati i povrat novca", "Vratite proizvod i dobijte novac natrag."),
        "et": ("Tagastused", "Saatke toode tagasi ja saage raha tagasi."),
        "tl": ("Pagbabalik at refund", "Ibalik ang produkto at makuha ang refund.")}),
    ("devices", "material/home-automation", {
        "en": ("Devices and setup", "Set up the hub and add plugs, bulbs and cameras."),
        "hr": ("Uređaji i postavljanje", "Postavite čvorište i dodajte utičnice, žarulje i kamere."),
        "et": ("Seadmed ja seadistamine", "Seadistage jaotur ning lisage pistikud, pirnid ja kaamerad."),
        "tl": ("Mga device at setup", "I-set up ang hub at magdagdag ng plug, bumbilya at camera.")}),
    ("automations", "material/robot-outline", {
        "en": ("Automations and scenes", "Schedules, scenes and voice assistants."),
        "hr": ("Automatizacije i scene", "Rasporedi, scene i glasovni pomoćnici."),
        "et": ("Automaatika ja stseenid", "Ajakavad, stseenid ja häälassistendid."),
        "tl": ("Automation at eksena", "Mga iskedyul, eksena at voice assistant.")}),
    ("troubleshooting", "material/wrench-outline", {
        "en": ("Troubleshooting", "Step-by-step help when a device or the app does not work."),
        "hr": ("Rješavanje problema", "Pomoć korak po korak kada uređaj ili aplikacija ne radi."),
        "et": ("Tõrkeotsing", "Samm-sammult abi, kui seade või rakendus ei tööta."),
        "tl": ("Pag-aayos ng problema", "Sunud-sunod na tulong kapag hindi gumagana ang device o app.")}),
    ("privacy", "material/shield-lock-outline", {
        "en": ("Privacy and data", "Your data, camera recordings, cookies and account deletion."),
        "hr": ("Privatnost i podaci", "Vaši podaci, snimke kamere, kolačići i brisanje računa."),
        "et": ("Privaatsus ja andmed", "Teie andmed, kaamera salvestised, küpsised ja konto kustutamine."),
        "tl": ("Privacy at data", "Ang iyong data, mga recording ng camera, cookies at pagbura ng account.")}),
    ("subscriptions", "material/star-circle-outline", {
        "en": ("Subscriptions", "Cloud recording plans, billing periods and cancelling."),
        "hr": ("Pretplate", "Paketi snimanja u oblaku, razdoblja naplate i otkazivanje."),
        "et": ("Püsitellimused", "Pilvesalvestuse paketid, arveldusperioodid ja tühistamine."),
        "tl": ("Mga subscription", "Mga plan ng cloud recording, billing at pagkansela.")}),
]
CATEGORY_SLUGS = [slug for slug, _, _ in CATEGORIES]

_SLOT_LISTS = {"N": NOUNS, "V": VERBS, "A": ADJECTIVES}
_LANG_COLUMN = {lang: i for i, lang in enumerate(LANGS)}
_LANG_COLUMN.update({code: _LANG_COLUMN[base] for code, (base, _) in EXTRA_LANGS.items()})
for _code, (_base, _) in EXTRA_LANGS.items():
    PHRASES[_code] = PHRASES[_base]
    for _slug, _icon, _texts in CATEGORIES:
        _texts[_code] = _texts[_base]

# ----- abstract content ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A pattern and word indices: rendered in any language, the same meaning in each."""

    kind: str
    pattern: int
    words: tuple[int, ...]

    def render(self, lang: str, *, capitalize: bool = True) -> str:
        slots, formats = PATTERNS[self.kind][self.pattern]
        column = _LANG_COLUMN[lang]
        values = [_SLOT_LISTS[slot][index][column] for slot, index in zip(slots, self.words)]
        if self.kind == "step" and self.pattern == 1:  # menu names: **Settings** > **Tab**
            values = [v[:1].upper() + v[1:] for v in values]
        text = formats[EXTRA_LANGS[lang][0] if lang in EXTRA_LANGS else lang].format(*values)
        return text[:1].upper() + text[1:] if capitalize else text


@dataclass
class Link:
    target: str
    """Slug of the target article."""
    anchor: str | None = None


@dataclass
class Doc:
    kind: str  # "article" or "faq"
    slug: str
    category: str
    title: Sentence
    type: str = "article"
    summary: Sentence | None = None
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    audience: str = "public"
    owner: str = ""
    published: dt.date | None = None
    review_every: str = "12 months"
    reviewed: dict[str, dt.date] = field(default_factory=dict)
    """Language → review date; the keys are the languages the document exists in."""
    blocks: list[tuple] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)

    @property
    def langs(self) -> list[str]:
        return list(self.reviewed)


@dataclass
class Corpus:
    articles: list[Doc]
    faqs: list[Doc]
    languages: tuple[str, ...]

    def __post_init__(self) -> None:
        self.by_slug = {doc.slug: doc for doc in self.articles}


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sentence(rng: random.Random, kind: str) -> Sentence:
    pattern = rng.randrange(len(PATTERNS[kind]))
    slots = PATTERNS[kind][pattern][0]
    words: list[int] = []
    for position, slot in enumerate(slots):
        taken = {words[i] for i, other in enumerate(slots[:position]) if other == slot}
        index = rng.randrange(len(_SLOT_LISTS[slot]))
        while index in taken:  # no "the plug and the plug"
            index = rng.randrange(len(_SLOT_LISTS[slot]))
        words.append(index)
    return Sentence(kind, pattern, tuple(words))


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def build_corpus(n_articles: int, languages=LANGS, translated_share: float = 0.3, seed: int = 0,
                 today: dt.date | None = None) -> Corpus:
    """The abstract content of a help center with ``n_articles`` English articles."""
    languages = tuple(languages)
    if languages[0] != "en" or any(lang not in LANGS_12 for lang in languages):
        raise ValueError(f"languages must start with 'en' and be among {LANGS_12}")
    today = today or dt.date.today()
    rng = random.Random(f"deflect-bench:{seed}:{n_articles}")
    used_slugs: set[str] = {"index", "faq"}
    articles: list[Doc] = []
    for i in range(n_articles):
        for _ in range(20):
            title = _sentence(rng, "title")
            slug = _slugify(title.render("en"))
            if slug not in used_slugs:
                break
        slug = _unique(slug, used_slugs)
        kind_roll = rng.random()
        doc_type = "troubleshooting" if kind_roll < 0.12 else "howto" if kind_roll < 0.3 else "article"
        category = "troubleshooting" if doc_type == "troubleshooting" and rng.random() < 0.5 else \
            CATEGORY_SLUGS[rng.randrange(len(CATEGORY_SLUGS))]
        nouns = sorted({rng.randrange(len(NOUNS)) for _ in range(rng.randint(2, 4))})
        published = today - dt.timedelta(days=rng.randint(60, 1500))
        review_every = rng.choice(["6 months", "12 months", "1 year", "3 months"])
        period = {"3 months": 90, "6 months": 180, "12 months": 360, "1 year": 365}[review_every]  # as deflect counts them
        doc = Doc(
            kind="article", slug=slug, category=category, title=title, type=doc_type,
            summary=_sentence(rng, "body"),
            tags=[_slugify(NOUNS[n][0]) for n in nouns],
            topics=sorted({f"{_slugify(NOUNS[nouns[0]][0])}-{_slugify(VERBS[rng.randrange(len(VERBS))][0])}"}),
            audience="internal" if rng.random() < 0.03 else "public",
            owner=f"team-{category}",
            published=published, review_every=review_every,
            reviewed={"en": max(published, today - dt.timedelta(days=rng.randint(0, period - 1)))},
        )
        articles.append(doc)
    # Translations: each language picks its own share of the articles.
    for lang in languages[1:]:
        lrng = random.Random(f"deflect-bench:{seed}:{n_articles}:{lang}")
        for doc in articles:
            if lrng.random() < translated_share:
                doc.reviewed[lang] = min(today, doc.reviewed["en"] + dt.timedelta(days=lrng.randint(0, 20)))
    public = [doc for doc in articles if doc.audience == "public"]
    for doc in articles:
        _article_blocks(doc, rng)
    for doc in articles:
        _add_links(doc, rng, public)
    faqs = _faqs(rng, max(5, n_articles // 10), public, languages, translated_share, today, seed, n_articles)
    return Corpus(articles, faqs, languages)


def _heading_id(sentence: Sentence, used: set[str]) -> str:
    """A language-independent id from the English heading, unique in its article."""
    used.update(("contact", "related"))
    return _unique(_slugify(sentence.render("en"))[:40].strip("-") or "section", used)


def _article_blocks(doc: Doc, rng: random.Random) -> None:
    used: set[str] = set()
    blocks: list[tuple] = [("p", [_sentence(rng, "body") for _ in range(rng.randint(2, 3))])]
    if doc.type == "troubleshooting":
        steps = []
        for _ in range(rng.randint(3, 5)):
            heading = _sentence(rng, "heading")
            steps.append((heading, _heading_id(heading, used)))
        targets = [*steps, (None, "contact")]
        for index, (heading, anchor) in enumerate(steps):
            blocks.append(("h2", heading, anchor))
            blocks.append(("p", [_sentence(rng, "body") for _ in range(rng.randint(2, 3))]))
            if index < len(steps) - 1:
                no = targets[min(index + 2, len(targets) - 1)]
                blocks.append(("question", _sentence(rng, "question"),
                               [("yes", targets[index + 1]), ("no", no)]))
            else:
                blocks.append(("next",))
        blocks.append(("contact",))
        doc.anchors = [anchor for _, anchor in steps] + ["contact"]
    else:
        for index in range(rng.randint(3, 4)):
            heading = _sentence(rng, "heading")
            anchor = _heading_id(heading, used)
            doc.anchors.append(anchor)
            blocks.append(("h2", heading, anchor))
            if doc.type == "howto" or rng.random() < 0.35:
                blocks.append(("p", [_sentence(rng, "body")]))
                blocks.append(("ol", [_sentence(rng, "step") for _ in range(rng.randint(3, 5))]))
            else:
                blocks.append(("p", [_sentence(rng, "body") for _ in range(rng.randint(3, 5))]))
            if rng.random() < 0.15:
                blocks.append(("admonition", rng.choice(["note", "tip", "warning"]),
                               [_sentence(rng, "body") for _ in range(2)]))
    doc.blocks = blocks


def _add_links(doc: Doc, rng: random.Random, public: list[Doc]) -> None:
    """Two links to other public articles: one inline (sometimes to a section), one under 'Related'."""
    if len(public) < 3:
        return
    picks: list[Doc] = []
    while len(picks) < 2:
        other = public[rng.randrange(len(public))]
        if other is not doc and other not in picks:
            picks.append(other)
    first = Link(picks[0].slug, rng.choice(picks[0].anchors) if rng.random() < 0.5 and picks[0].anchors else None)
    # The inline link goes at the end of the first paragraph after a heading.
    for index, block in enumerate(doc.blocks):
        if block[0] == "p" and index > 0:
            doc.blocks[index] = ("p", block[1], first)
            break
    doc.blocks.append(("related", [Link(picks[1].slug)]))


def _faqs(rng: random.Random, count: int, public: list[Doc], languages: tuple[str, ...], share: float,
          today: dt.date, seed: int, n_articles: int) -> list[Doc]:
    used: set[str] = set()
    faqs = []
    for _ in range(count):
        question = _sentence(rng, "faq")
        slug = _unique(_slugify(question.render("en"))[:60].strip("-"), used)
        category = CATEGORY_SLUGS[rng.randrange(len(CATEGORY_SLUGS))]
        noun = rng.randrange(len(NOUNS))
        doc = Doc(kind="faq", slug=slug, category=category, title=question, tags=[_slugify(NOUNS[noun][0])],
                  topics=[f"{_slugify(NOUNS[noun][0])}-question"], owner=f"team-{category}",
                  reviewed={"en": today - dt.timedelta(days=rng.randint(0, 300))})
        same = [a for a in public if a.category == category] or public
        doc.blocks = [("p", [_sentence(rng, "body") for _ in range(rng.randint(1, 3))]),
                      ("faqlink", Link(same[rng.randrange(len(same))].slug))]
        faqs.append(doc)
    for lang in languages[1:]:
        lrng = random.Random(f"deflect-bench:{seed}:{n_articles}:faq:{lang}")
        for doc in faqs:
            if lrng.random() < share:
                doc.reviewed[lang] = doc.reviewed["en"]
    return faqs


# ----- rendering -------------------------------------------------------------------------------


def render_body(doc: Doc, lang: str, corpus: Corpus, href) -> str:
    """Markdown body of ``doc`` in ``lang``; ``href(link)`` gives each link's target."""
    words = PHRASES[lang]
    out: list[str] = []

    def link(target: Link) -> str:
        # Non-breaking joins keep the link on one line when the paragraph is wrapped (see _wrap).
        other = corpus.by_slug[target.target]
        return f"[{other.title.render(lang)}]({href(target)})".replace(" ", _KEEP)

    for block in doc.blocks:
        kind = block[0]
        if kind == "p":
            text = " ".join(s.render(lang) for s in block[1])
            if len(block) > 2:
                text += f" {words['see']} {link(block[2])}."
            out.append(_wrap(text))
        elif kind == "h2":
            out.append(f"## {block[1].render(lang)} {{#{block[2]}}}")
        elif kind == "ol":
            out.append("\n".join(f"{i}. {s.render(lang)}" for i, s in enumerate(block[1], start=1)))
        elif kind == "admonition":
            out.append(f"!!! {block[1]}\n" + "\n".join("    " + line for line in
                                                       _wrap(" ".join(s.render(lang) for s in block[2])).split("\n")))
        elif kind == "question":
            answers = []
            for answer, (heading, anchor) in block[2]:
                label = heading.render(lang) if heading is not None else words["contact"]
                answers.append(f"- **{words[answer]}** → [{label}](#{anchor})")
            out.append(f"**{block[1].render(lang)}**\n\n" + "\n".join(answers))
        elif kind == "next":
            out.append(words["next"] + f" [{words['contact']}](#contact)")
        elif kind == "contact":
            out.append(f"## {words['contact']} {{#contact}}\n\n{words['contact_text']}")
        elif kind == "related":
            out.append(f"## {words['related']} {{#related}}\n\n" + "\n".join(f"- {link(l)}" for l in block[1]).replace(_KEEP, " "))
        elif kind == "faqlink":
            out.append(_wrap(f"{words['faq_more']} {link(block[1])}."))
    return "\n\n".join(out) + "\n"


_KEEP = "\x00"


def _wrap(text: str, width: int = 110) -> str:
    """Wrap prose at ``width`` like a human editor would, never inside a link."""
    return _wrap_words(text, width).replace(_KEEP, " ")


def _wrap_words(text: str, width: int) -> str:
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)


def _yaml_str(value: str) -> str:
    """A YAML scalar: quoted only where plain text would be misread."""
    if re.search(r"[:#\[\]{},&*!|>'\"%@`]|^[-?]|^\s|\s$", value) or value.lower() in {"yes", "no", "true", "false", "null", "on", "off"}:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _front_matter(doc: Doc, lang: str) -> str:
    lines = [f"title: {_yaml_str(doc.title.render(lang))}"]
    if doc.kind == "article":
        assert doc.summary is not None
        lines.append(f"summary: {_yaml_str(doc.summary.render(lang))}")
        lines.append(f"type: {doc.type}")
    lines.append(f"category: {doc.category}")
    lines.append(f"tags: [{', '.join(doc.tags)}]")
    lines.append(f"topics: [{', '.join(doc.topics)}]")
    if doc.kind == "article":
        lines.append(f"audience: {doc.audience}")
    lines.append(f"owner: {doc.owner}")
    lines.append(f"reviewed: {doc.reviewed[lang].isoformat()}")
    if doc.kind == "article":
        lines.append(f"review_every: {doc.review_every}")
        assert doc.published is not None
        lines.append(f"published: {doc.published.isoformat()}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def _mkdocs_yml(corpus: Corpus, search: bool = False) -> str:
    languages = "\n".join(f"        - code: {lang}\n          name: {LANGUAGE_NAMES[lang]}" for lang in corpus.languages)
    popular = "\n".join(f"        - {doc.slug}" for doc in [d for d in corpus.articles if d.audience == "public"][:6])
    search_plugin = "  - deflect/search\n" if search else ""
    return f"""site_name: Synthetic Help Center
site_url: https://help.synthetic.example/
site_description: Synthetic help center for Deflect benchmarks ({len(corpus.articles)} articles).
docs_dir: docs
use_directory_urls: true

theme:
  name: material
  font: false
  palette:
    primary: teal
    accent: deep orange
  features:
    - content.action.edit
    - navigation.top

plugins:
  - deflect/content:
      audience: public
      languages:
{languages}
      popular:
{popular}
{search_plugin}
markdown_extensions:
  - toc:
      permalink: true
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.details
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg

validation:
  links:
    anchors: warn
"""


def _categories_yml(languages: tuple[str, ...]) -> str:
    lines = ["# Categories of the synthetic help center, in the order the home page shows them."]
    for slug, icon, texts in CATEGORIES:
        lines.append(f"{slug}:")
        lines.append(f"  icon: {icon}")
        for lang in languages:
            title, description = texts[lang]
            lines.append(f"  {lang}: {{title: {_yaml_str(title)}, description: {_yaml_str(description)}}}")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_help_center(root: Path, n_articles: int, languages=LANGS, translated_share: float = 0.3,
                     seed: int = 0, *, search: bool = False, today: dt.date | None = None) -> Corpus:
    """Write a Deflect help center with ``n_articles`` English articles below ``root``; return its corpus.

    ``search`` adds the ``deflect/search`` plugin (Deflect's own search) after ``deflect/content``.
    """
    root = Path(root)
    corpus = build_corpus(n_articles, languages, translated_share, seed, today)
    _write(root / "mkdocs.yml", _mkdocs_yml(corpus, search))
    _write(root / "articles" / "categories.yml", _categories_yml(corpus.languages))
    _write(root / "docs" / "README.txt", "Hand-written site pages (home, contact) go here, per language.\n")
    for lang in corpus.languages:
        (root / "articles" / lang).mkdir(parents=True, exist_ok=True)
        (root / "faq" / lang).mkdir(parents=True, exist_ok=True)

    def article_href(link: Link) -> str:  # translators keep link targets: same folder, same file name
        return f"{link.target}.md" + (f"#{link.anchor}" if link.anchor else "")

    def faq_href(link: Link) -> str:
        return f"../../articles/en/{link.target}.md" + (f"#{link.anchor}" if link.anchor else "")

    for doc in corpus.articles:
        for lang in doc.langs:
            _write(root / "articles" / lang / f"{doc.slug}.md",
                   _front_matter(doc, lang) + render_body(doc, lang, corpus, article_href))
    for doc in corpus.faqs:
        for lang in doc.langs:
            _write(root / "faq" / lang / f"{doc.slug}.md",
                   _front_matter(doc, lang) + render_body(doc, lang, corpus, faq_href))
    return corpus


def make_plain_material(root: Path, n_articles: int, seed: int = 0, *, languages=LANGS,
                        translated_share: float = 0.3, today: dt.date | None = None) -> Corpus:
    """The same articles and FAQ entries as a plain Material site: the benchmarks' anchor.

    ``docs/<lang>/<category>/<slug>.md`` for every article in every language it is written in
    (no fallback copies), ``docs/<lang>/<category>/faq.md`` with that category's FAQ entries,
    front matter dropped and the title as the page's ``#`` heading. Links point at the existing
    page (the English one where a translation is missing). Navigation is Material's automatic
    one with ``navigation.prune``; search is the built-in plugin.
    """
    root = Path(root)
    corpus = build_corpus(n_articles, languages, translated_share, seed, today)
    docs = root / "docs"

    def resolver(lang: str, from_dir: str):
        def href(link: Link) -> str:
            target = corpus.by_slug[link.target]
            target_lang = lang if lang in target.langs else "en"
            path = f"{target_lang}/{target.category}/{target.slug}.md"
            rel = Path(path).as_posix()
            depth = from_dir.count("/") + 1
            return "../" * depth + rel + (f"#{link.anchor}" if link.anchor else "")
        return href

    for doc in corpus.articles:
        if doc.audience != "public":
            continue  # a public Deflect build leaves internal articles out
        for lang in doc.langs:
            body = render_body(doc, lang, corpus, resolver(lang, f"{lang}/{doc.category}"))
            _write(docs / lang / doc.category / f"{doc.slug}.md", f"# {doc.title.render(lang)}\n\n{body}")
    faq_pages: dict[tuple[str, str], list[str]] = {}
    for doc in corpus.faqs:
        for lang in doc.langs:
            body = render_body(doc, lang, corpus, resolver(lang, f"{lang}/{doc.category}"))
            faq_pages.setdefault((lang, doc.category), []).append(
                f"## {doc.title.render(lang)} {{#{doc.slug}}}\n\n{body}")
    for (lang, category), entries in sorted(faq_pages.items()):
        _write(docs / lang / category / "faq.md", "# FAQ\n\n" + "\n".join(entries))
    links = "\n".join(f"- [{LANGUAGE_NAMES[lang]}]({lang}/{CATEGORY_SLUGS[0]}/"
                      f"{_first_page(docs / lang / CATEGORY_SLUGS[0])})" for lang in corpus.languages
                      if _first_page(docs / lang / CATEGORY_SLUGS[0]))
    _write(docs / "index.md", f"# Synthetic Help Center\n\n{links}\n")
    _write(root / "mkdocs.yml", plain_material_config("Synthetic Help Center", "https://help.synthetic.example/"))
    return corpus


def _first_page(folder: Path) -> str | None:
    pages = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
    return pages[0] if pages else None


def plain_material_config(site_name: str, site_url: str, extra_extensions: str = "") -> str:
    """mkdocs.yml of the anchor: plain Material with its built-in search and navigation.prune."""
    return f"""site_name: {site_name} (plain Material)
site_url: {site_url}
docs_dir: docs
use_directory_urls: true

theme:
  name: material
  font: false
  features:
    - navigation.prune

plugins:
  - search

markdown_extensions:
  - toc:
      permalink: true
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.details
{extra_extensions}"""
