"""Words spelled many ways, folded to one spelling before matching.

Dutch key terms, in Ethiopic script and in Latin letters, and the everyday Tigrinya
question words people type in Latin letters (kemey, kemei, kmey; entay, entai).

People write a Dutch word the way they hear it: huurtoeslag as ሁርቱስላኽ, ሁርቶስላግ, ሁርቶሽላግ
or hurtuslag; gemeente as ገመንተ, ኸመንተ or hemeente. Every spelling listed here becomes the
Dutch term itself before matching, so a question with any spelling meets every phrasing
with any other, in every language.

Ethiopic spellings are compared by a loose key, so that spellings this list does not
name still agree: vowels dropped (the consonant skeleton), the letters a Dutch sound is
heard as folded together (Dutch g/ch/h as ግ ኽ ሕ ህ; s/z/sch as ስ ሽ ዝ ጽ; t/d as ት ጥ ድ;
v/f as ቭ ፍ; p as ፕ ጵ), and the vowel carrier (ኣ ኢ ኡ …) left out. Keys shorter than four
letters are too likely to be an ordinary Tigrinya word (ዱኦ and ድኣ, ቡተ and ቤት share
consonants; ይ and ው do not count), so short spellings must be written as listed (after
normalisation). The glides ይ and ው stay in the key: without them ሃይማኖታዊ (religious)
would read as ገመንተ. Latin spellings are taken as listed; one or two typos more are the
matcher's typo correction. A spelling may be several words (ቢ ኤስ ኤን, haus arts): up to
three neighbouring words are tried together, as listed only (joined loosely, ከም እንተ "as
if" would read as ገመንተ). A Tigrinya ን or ብ ("to", "with") joined in front of a word is
looked through: ንገመንተ, ብdigid.
"""

from __future__ import annotations

from bot.core.normalize import ethiopic_skeleton, normalize

# Dutch term → other spellings. Ethiopic spellings name a pattern (see the module text);
# the Dutch term itself needs no entry. Latin spellings must not be Dutch or English words.
TERMS: dict[str, tuple[str, ...]] = {
    "bsn": ("ቢ ኤስ ኤን", "ቤ ኤስ ኤን", "ቢ እስ እን", "ቤ እስ እን", "bi es en", "be es en"),
    "burgerservicenummer": ("ቡርገርሰርቪስኑመር", "ቡርገር ሰርቪስ ኑመር", "burger service nummer"),
    "digid": ("ዲጂድ", "ዲጂዲ", "ዲጂት", "ድጂድ", "ዲጅድ", "ዲጂ ዲ", "ዲጂ ድ", "ዲ ጂ ዲ", "dijid", "digi d",
              "digidi", "dijidi", "diji d"),
    "gemeente": ("ገመንተ", "ገሜንተ", "ኸመንተ", "ኸሜንተ", "ሀመንተ", "ሄመንተ", "ኽመንተ", "ገመይንተ",
                 "gemente", "gemeinte", "hemeente", "hemente", "khemeente", "khemente",
                 "xemeente", "gemeenta", "gemeenti", "gmeente", "chemeente", "gemeete"),
    "brp": ("ቢ ኣር ፒ", "ቤ ኤር ፔ", "ቢኣርፒ"),
    "rni": ("ኣር ኤን ኣይ", "ኤር ኤን ኢ", "ኣርኤንኣይ"),
    "inschrijven": ("ኢንስኽራይቨን", "ኢንስክራይፈን", "ኢንስኸረይቨን", "insgraiven", "inskhraiven",
                    "inschraiven", "insgrijven"),
    "briefadres": ("ብሪፍኣድረስ", "ብሪፍ ኣድረስ", "brief adres"),
    "basisbetaalrekening": ("ባሲስበታልረከኒንግ",),
    "bankrekening": ("ባንክረከኒንግ", "ባንክ ረከኒንግ"),
    "rijbewijs": ("ራይበወይስ", "ረይበወይስ", "ራይበዋይስ", "ሬይበወይስ", "ራይቤዋይስ", "ራይበወስ",
                  "raibewais", "reibeweis", "rijbeweis", "raybeways", "reibewijs", "raibeweis"),
    "zorgverzekering": ("ዞርግፈርዘከሪንግ", "ዞርኽፈርዘከሪንግ", "ዞርግ ፈርዘከሪንግ", "zorgferzekering",
                        "sorgverzekering", "zorgfersekering", "zorg verzekering"),
    "verzekering": ("ፈርዘከሪንግ", "ቨርዘከሪንግ", "ferzekering", "fersekering"),
    "eigen risico": ("ኣይገን ሪሲኮ", "ኤይገን ሪሲኮ", "ኣይኸን ሪሲኮ", "ኣይገን ሪዚኮ", "eigenrisico",
                     "aigen risico", "eigen risiko", "aigen risiko", "eiken risico"),
    "huisarts": ("ሃውስኣርትስ", "ሃውሳርትስ", "ሃውሳርት", "ሁይሳርትስ", "ሁይሳርት", "ሆይሳርትስ",
                 "ሃይሳርትስ", "ሃውስኣርት", "hausarts", "hausart", "hawsarts", "hawsart",
                 "houzarts", "hauzarts", "huisart", "huizarts", "hoisarts", "haus arts",
                 "huis arts", "haws arts"),
    "huisartsenpost": ("ሃውሳርትሰንፖስት", "ሃውስኣርትሰንፖስት", "ሁይሳርትሰንፖስት",
                       "hausartsenpost", "hausartsen post", "huisartsen post"),
    "tolk": ("ቶልክ", "ቶልኽ", "ቶልከ"),
    "leerplicht": ("ሌርፕሊኽት", "ሌርፕሊግት", "ሌር ፕሊኽት", "leerplikht", "lerplicht", "lerplikht"),
    "huurtoeslag": ("ሁርቱስላኽ", "ሁርቶስላግ", "ሁርቶሽላግ", "ሁር ቱስላኽ", "hurtuslag", "huurtuslag",
                    "hurtoslag", "hurtuslakh", "hurtoslakh", "huurtoeslach", "hurtoeslach",
                    "hurtuslah", "huurtuslakh", "hur tuslag", "huur toeslag"),
    "zorgtoeslag": ("ዞርግቱስላኽ", "ዞርኽቱስላኽ", "ዞርግቶስላግ", "ዞርቱስላኽ", "ዞርግ ቱስላኽ",
                    "zorgtuslag", "zorgtoslag", "sorgtuslag", "zorgtuslakh", "zorghtuslag",
                    "zorktoeslag", "zorg toeslag", "zorgtoeslach"),
    "toeslag": ("ቱስላኽ", "ቶስላግ", "ቱስላግ", "tuslag", "toslag", "tuslakh", "tuslah",
                "toeslach"),
    "toeslagen": ("ቱስላገን", "ቱስላኽን", "ቶስላገን", "tuslagen", "toslagen", "tuslakhen"),
    "mijn toeslagen": ("ማይን ቱስላገን", "መይን ቱስላገን", "main tuslagen", "mein toeslagen"),
    "belastingdienst": ("በላስቲንግዲንስት", "በላስቲንግ ዲንስት", "belastingdinst",
                        "belasting dienst", "belastingdenst"),
    "belasting": ("በላስቲንግ", "በላስቲን"),
    "bijstand": ("ባይስታንድ", "በይስታንድ", "ቤይስታንድ", "ቢስታንድ", "ባይስታንት", "bistand",
                 "baistand", "beistand", "bystand", "baystand", "beystand", "bijstant",
                 "beistant", "baistant"),
    "uitkering": ("ኣውትከሪንግ", "ኦውትከሪንግ", "ኣይትከሪንግ", "ኣውት ከሪንግ", "autkering",
                  "outkering", "owtkering", "aitkering", "uitkerin", "autkerin"),
    "kinderbijslag": ("ኪንደርበይስላኽ", "ኪንደርባይስላግ", "ኪንደርቤይስላኽ", "ኪንደር ባይስላግ",
                      "kinderbaislag", "kinderbeislag", "kinderbyslag", "kinderbislag",
                      "kinderbaislakh"),
    "ontzorgen": ("ኦንትሶርገን", "ኦንትዞርገን", "ኦንትሶርኸን", "ontsorgen", "ontsorghen",
                  "onzorgen", "ontzorghen"),
    "kwijtschelding": ("ክወይትስኸልዲንግ", "ክዋይትስኸልዲንግ", "ክወይትሸልዲንግ", "kwaitsgelding",
                       "kweitschelding", "kwijtsgelding"),
    "nareis": ("ናረይስ", "ናራይስ", "ናሬይስ", "nareys", "narais"),
    "gezinshereniging": ("ገዚንስሄረኒጊንግ", "ኸዚንስሄረኒኽንግ", "ገዚንስ ሄረኒጊንግ",
                         "gezins hereniging"),
    "ind": ("ኢንድ", "ኣይ ኤን ዲ", "ኢ ኤን ዴ", "ኣይኤንዲ"),
    "coa": ("ኮኣ", "ኮዋ", "ሴ ኦ ኣ", "ሲ ኦ ኤ", "ኮ ኣ"),
    "azc": ("ኣዜድሲ", "ኣ ዜድ ሲ", "ኣ ዜት ሴ", "ኣዜትሴ"),
    "juridisch loket": ("ዩሪዲሽ ሎኬት", "ዩሪዲስ ሎኬት", "juridischloket", "yuridisch loket",
                        "juridis loket", "yuridis loket"),
    "vluchtelingenwerk": ("ፍሉኽተሊንገንወርክ", "ቭሉኽተሊንገንወርክ", "fluchtelingenwerk",
                          "vluchtelingwerk"),
    "statushouder": ("ስታቱስሃውደር", "ስታቱስ ሃውደር", "statushauder", "status houder"),
    "begeleider": ("በኸለይደር", "በገለይደር", "በገላይደር", "begelaider", "behelaider",
                   "begelijder"),
    "woning": ("ዎኒንግ", "ወኒንግ", "ቮኒንግ"),
    "huurcontract": ("ሁርኮንትራክት", "ሁር ኮንትራክት", "hurcontract", "hur contract",
                     "huurkontrakt"),
    "duo": ("ዱኦ", "ዲዩኦ", "ዱዎ", "ዲ ዩ ኦ", "ዱ ኦ", "ደ ኡ ኦ"),
    "inburgering": ("ኢንቡርገሪንግ", "ኢንቡርኸሪንግ", "ኢንቡርሄሪንግ", "ኢንቡርገሪን", "ኢንቡርግሪንግ",
                    "ኢን ቡርገሪንግ", "inburgerin", "inburghering", "enburgering", "inburkhering",
                    "inburgring", "inburhering", "in burgering", "inburgerring"),
    "brede intake": ("ብረደ ኢንተክ", "ብረደ ኢንተይክ", "ብሬደ ኢንተክ", "brede intek",
                     "brede inteik"),
    "intake": ("ኢንተክ", "ኢንተይክ", "ኢንቴክ"),
    "leerbaarheidstoets": ("ሌርባርሃይድስቱስት", "ሌርባርሃይድስ ቱስት"),
    "verlenging": ("ፈርለንጊንግ", "ቨርለንጊንግ", "ferlenging", "verlenking"),
    "ontheffing": ("ኦንትሀፊንግ", "ኦንተፊንግ", "ontefing", "onthefing"),
    "boete": ("ቡተ", "ቡቴ", "bute", "boeta"),
    "participatieverklaring": ("ፓርቲሲፓሲፈርክላሪንግ", "ፓርቲሲፓሲ ፈርክላሪንግ",
                               "participatie verklaring"),
    "pvt": ("ፒ ቪ ቲ", "ፔ ፌ ቴ", "ፒቪቲ"),
    "map": ("ማፕ",),
    "uwv": ("ዩ ዳብሊው ቪ", "ዩ ዌ ቬ", "ዩዌቬ", "ዩዳብሊውቪ"),
    "twv": ("ቲ ዳብሊው ቪ", "ቴ ዌ ቬ", "ቴዌቬ"),
    "svb": ("ኤስ ቪ ቢ", "ኤስ ፌ ቤ", "ኤስቪቢ"),
    "idw": ("ኣይ ዲ ዳብሊው", "ኢ ዴ ዌ", "ኣይዲዳብሊው"),
    "klantmanager": ("ክላንትማነጀር", "ክላንት ማነጀር", "klantmeneger", "klant manager"),
    "vrijlating": ("ፍራይላቲንግ", "ቭራይላቲንግ", "fraylating", "vrailating"),
    "minimumloon": ("ሚኒሙምሎን", "ሚኒሙም ሎን", "minimum loon", "minimumlon"),
    "arbeidsinspectie": ("ኣርበይድስኢንስፐክሲ", "ኣርባይድስ ኢንስፐክሲ", "arbeids inspectie"),
    "verblijfsvergunning": ("ፈርብላይፍስፈርጉኒንግ", "ቨርብላይፍስፈርኹኒንግ", "verblijfvergunning",
                            "ferblaifsfergunning"),
    "vrijwilligerswerk": ("ፍራይዊሊገርስወርክ", "ቭራይዊሊገርስወርክ", "ፍረይዊሊኸርስወርክ",
                          "fraiwilligerswerk", "vraiwilligerswerk", "vrijwilegerswerk"),
    "veilig thuis": ("ፈይሊኽ ታውስ", "ፈይሊግ ታውስ", "ቨይሊኽ ታውስ", "feilig thuis", "veilig taus",
                     "feilig taus", "feilikh taus"),
    "loonstrook": ("ሎንስትሮክ", "ሎን ስትሮክ", "lonstrook", "loonstrok"),
    "fairwork": ("ፌርወርክ", "ፈርወርክ", "fair work"),
    "koppeling": ("ኮፐሊንግ", "ኮፕሊንግ", "kopeling"),
    "inrichtingskrediet": ("ኢንሪኽቲንግስክረዲት", "inrikhtingskrediet", "inrichtingkrediet"),
    "kindgebonden budget": ("ኪንድገቦንደን ቡጀት", "ኪንድኸቦንደን ቡጅት", "kindgebonden bujet"),
    "onderwijsroute": ("ኦንደርወይስሩት", "ኦንደርዋይስ ሩት", "onderwaisroute", "onderweisroute",
                       "onderwijs route"),
    "vrijwilligerscentrale": ("ፍራይዊሊገርስሰንትራለ", "ፍራይዊሊገርስ ሰንትራለ",
                              "vrijwilligers centrale"),
}

# Tigrinya question words typed in Latin letters → one spelling. There is no standard
# transliteration: ብኸመይ is kemey, kemei, kmey or bkemey. One spelling per word keeps
# these common words common (an odd spelling in a few phrasings would look telling).
# None of these is a Dutch or English word.
TIGRINYA_LATIN: dict[str, tuple[str, ...]] = {
    "kemey": ("kemei", "kmey", "kemay", "kamey", "kemai", "kmei", "kamay", "bkemey", "bkemei",
              "bekemey", "bkmey", "bkemay", "bikemey"),
    "entay": ("entai", "intay", "intai", "entayi"),
    "abey": ("abei", "abeyi"),
    "nabey": ("nabei",),
    "kabey": ("kabei",),
    "kndey": ("kendey", "kindey", "kndei", "kenday", "kendei", "kinday", "kndai"),
    "eyu": ("iyu", "eyou"),
    "diyu": ("dyu", "diu", "diyou", "deyu"),
    "delye": ("deleye", "deliye", "delie", "dleye"),
    "aleni": ("alleni", "aleny"),
    "yikel": ("ykel", "yikl", "ykl", "yekel", "yikil", "yiklel"),
    "yebleyn": ("yebeleyn", "yebleyen"),
    "yhtet": ("yihtet", "yhetet"),
    "gere": ("geyre", "geire"),
    "yrkeb": ("yirkeb", "yirkab"),
    "yrekb": ("yrekeb", "yirekb", "yirekeb"),
    "krekb": ("krekeb", "kirekb", "kirekeb", "krkb"),
    "kgebr": ("kgeber", "kigebr", "kgebir", "kegebr"),
    "ygeber": ("yigeber",),
}

_MIN_KEY = 4  # Ethiopic keys shorter than this must match a spelling exactly
_WINDOW = 3   # words tried together
_PREFIXES = "ንብ"  # Tigrinya writes "to" and "with" joined to the next word
_ETHIOPIC_START, _ETHIOPIC_END = "\u1200", "\u137f"
# Skeleton consonant → the letter of its class (Dutch sounds heard as several letters).
_CLASSES = {**dict.fromkeys("ገከሀ", "ገ"), **dict.fromkeys("ሰሸዘዠጸ", "ሰ"),
            **dict.fromkeys("ተጠደ", "ተ"), **dict.fromkeys("ፈቨ", "ፈ"),
            **dict.fromkeys("ፐጰ", "ፐ"), **dict.fromkeys("ነኘ", "ነ"), "አ": ""}


def _is_ethiopic(word: str) -> bool:
    return any(_ETHIOPIC_START <= ch <= _ETHIOPIC_END for ch in word)


def ethiopic_key(word: str) -> str:
    """The loose key of a normalised Ethiopic word (see the module text)."""
    return "".join(_CLASSES.get(ch, ch) for ch in ethiopic_skeleton(word))


def _long_enough(key: str) -> bool:
    """Enough consonants, glides aside (ኢንተይክ is not enough: እንታይከ means "what then")."""
    return len(key.replace("የ", "").replace("ወ", "")) >= _MIN_KEY


def spelling_table() -> dict[str, str]:
    """Normalised spelling (or '~' + loose key) → its one spelling, as normalised words.

    A spelling or key that would mean two things is an error in the lists above.
    """
    table: dict[str, str] = {}
    for term, spellings in (*TERMS.items(), *TIGRINYA_LATIN.items()):
        target = normalize(term)
        for spelling in (term, *spellings):
            joined = normalize(spelling).replace(" ", "")
            keys = [joined]
            if _is_ethiopic(joined) and " " not in normalize(spelling) \
                    and _long_enough(ethiopic_key(joined)):
                keys.append("~" + ethiopic_key(joined))
            for key in keys:
                if table.setdefault(key, target) != target:
                    raise ValueError(f"{spelling!r} reads as both {table[key]!r} and {target!r}")
    return table


_TABLE = spelling_table()


def _term(group: list[str]) -> str | None:
    """The Dutch term these neighbouring words spell, if any."""
    joined = "".join(group)
    found = _TABLE.get(joined)
    # Several words only as listed: joined loosely, ከም እንተ ("as if") would read as ገመንተ.
    if found is None and len(group) == 1 and _is_ethiopic(joined):
        if _long_enough(ethiopic_key(joined)):
            found = _TABLE.get("~" + ethiopic_key(joined))
        if found is None and joined[0] in _PREFIXES and len(joined) > 2:
            return _term([joined[1:]])
    elif found is None and len(group) > 1 and group[0][0] in _PREFIXES and len(group[0]) > 1:
        return _TABLE.get("".join([group[0][1:], *group[1:]]))
    return found


def known_spellings(words: list[str]) -> list[str]:
    """Normalised words with every spelling listed here replaced by its one spelling."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_WINDOW, len(words) - i), 0, -1):
            group = words[i:i + size]
            if size > 1 and len({_is_ethiopic(w) for w in group}) > 1:
                continue  # a spelling is in one script
            found = _term(group)
            if found is not None:
                out += found.split()
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out
