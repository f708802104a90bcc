"""Times and dates typed instead of pressed: "18:30", "6.30 pm", "١٨:٣٠", "12-3", "12 maart".

People type the way they write at home: Arabic-Indic digits, a dot or an "h" between hours
and minutes, am/pm in their own script, the day before the month (as in the Netherlands,
the Arab world and Eritrea). Month names come from Babel (CLDR) in every bot language, so
a typed date reads the names the calendar shows.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time, timedelta
from functools import cache

from babel.dates import get_month_names

from bot.core.normalize import normalize
from bot.i18n import language_codes

REGIONAL_MONTHS = ("ar_SY", "ar_IQ")  # آذار beside مارس: the Levant and Iraq name months apart
# Said after the hour: before noon, after noon, or a plain "o'clock" word.
MORNING = {"am", "a.m.", "a.m", "ص", "صباحا", "صباح", "ቅ.ቀ.", "ቅ.ቀ", "ቅቀ", "ንግሆ", "'s ochtends",
           "ochtend", "s ochtends", "rano", "z rana"}
EVENING = {"pm", "p.m.", "p.m", "م", "مساء", "مساءا", "ظهرا", "بعد الظهر", "ድ.ቀ.", "ድ.ቀ", "ድቀ",
           "ምሸት", "'s avonds", "'s middags", "s avonds", "s middags", "avond", "middag",
           "wieczorem", "po południu", "po poludniu"}
O_CLOCK = {"", "uur", "u", "h", "ساعة", "الساعة", "ሰዓት", "godz.", "godz"}
# Before the hour: Arabic "the hour", Tigrinya "hour", Polish "o 18", "godz. 18", "o godz. 18"
_TIME = re.compile(r"^(?:الساعة|ሰዓት|o|o godz\.?|godz\.?)?\s*"
                   r"(\d{1,2})(?:\s*[:.h u٫]\s*(\d{2}))?\s*(.*?)$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*([-/.])\s*(\d{1,2})(?:\s*\2\s*(\d{2}|\d{4}))?$")
_DAY_NAME = re.compile(r"^(\d{1,2})\.?\s*([^\d\s,.]+)\.?(?:,?\s*(\d{4}))?$")
_NAME_DAY = re.compile(r"^([^\d\s,.]+)\.?\s*(\d{1,2})(?:,?\s*(\d{4}))?$")
# Days said by name, read as `plain` reads them (vowel marks gone: غداً is غدا).
RELATIVE_DAYS = {"vandaag": 0, "today": 0, "اليوم": 0, "ሎሚ": 0, "dziś": 0, "dzis": 0,
                 "dzisiaj": 0, "morgen": 1, "tomorrow": 1, "غدا": 1, "بكرة": 1, "بكرا": 1,
                 "ጽባሕ": 1, "jutro": 1, "overmorgen": 2, "day after tomorrow": 2,
                 "the day after tomorrow": 2, "بعد غد": 2, "بعد بكرة": 2, "ድሕሪ ጽባሕ": 2,
                 "pojutrze": 2}
LINKS = {"om", "at", "on", "in", "op", "في", "ብ", "o", ","}  # day, then time: "morgen om 9"


def plain(text: str) -> str:
    """Lower case, ASCII digits, no Arabic vowel marks, single spaces: what the patterns read."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text
                   if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text)


def read_time(text: str) -> time | None:
    """A clock time, or None: 18:30, 18.30, 18h30, 18 uur, 6.30 pm, ٦:٣٠ م, ١٨:٣٠."""
    found = _TIME.match(plain(text))
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    said = found[3].strip()
    if said in MORNING or said in EVENING:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if said in EVENING else 0)
    elif said not in O_CLOCK:
        return None
    return time(hour, minute) if hour < 24 and minute < 60 else None


def read_date(text: str, earliest: date) -> date | None:
    """A day, or None: 12-3, 12/3, 12.3.2027, 12 maart, 12 mrt, March 12, ١٢-٣, 12 مارس.

    Without a year it is the first such day from `earliest` on."""
    typed = plain(text)
    if found := _NUMERIC_DATE.match(typed):
        return _day(int(found[1]), int(found[3]), found[4], earliest)
    if found := _DAY_NAME.match(typed):
        month = month_numbers().get(normalize(found[2]))
        return _day(int(found[1]), month, found[3], earliest) if month else None
    if found := _NAME_DAY.match(typed):
        month = month_numbers().get(normalize(found[1]))
        return _day(int(found[2]), month, found[3], earliest) if month else None
    return None


def read_moment(text: str, today: date) -> tuple[date | None, time | None] | None:
    """A day, a time, or both, or None: "morgen 9:00", "12-3 18:30", "18:30", "غداً ٩ صباحاً".

    A day alone is read as `read_date` reads it (from `today` on), or said by name
    ("tomorrow", "غدا", "ጽባሕ"); the time may come before or after it."""
    words = [w for w in plain(text).split(" ") if w not in LINKS]
    for cut in range(len(words) + 1):
        for day_words, time_words in ((words[:cut], words[cut:]), (words[cut:], words[:cut])):
            day = _read_day(" ".join(day_words), today) if day_words else None
            clock = read_time(" ".join(time_words)) if time_words else None
            if (day is not None or not day_words) and (clock is not None or not time_words) \
                    and (day or clock):
                return day, clock
    return None


def _read_day(typed: str, today: date) -> date | None:
    """A date as `read_date` reads it, or a day said by name."""
    if typed in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[typed])
    return read_date(typed, today)


@cache
def month_numbers() -> dict[str, int]:
    """Every month name and abbreviation in the bot's languages, normalised as messages are
    (so "12 wrzesnia" typed without Polish letters is "12 września")."""
    names: dict[str, int] = {}
    for locale in (*language_codes(), *REGIONAL_MONTHS):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    names.setdefault(normalize(name), number)
    return names


def _day(day: int, month: int, year: str | None, earliest: date) -> date | None:
    """The date if it exists; without a year, the first one on or after `earliest`."""
    if year is not None:
        return _valid(int(year) + (2000 if len(year) == 2 else 0), month, day)
    for candidate in range(earliest.year, earliest.year + 5):  # 29 February needs a leap year
        found = _valid(candidate, month, day)
        if found is not None and found >= earliest:
            return found
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
