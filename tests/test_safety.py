"""The safety net: danger read however people say it, two tiers, and calm for small talk.

Floors are measured on the danger sets written apart from flows/crisis.yaml (dev for
tuning, test only reported; numbers in docs/faq.md): a drop below them fails the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import crisis_eval
from bot.core import safety
from bot.core.crisis import crisis_text, distress_text, question_text
from bot.core.engine import Core
from bot.core.outbox import Lane
from bot.core.ports import Incoming, Kind
from bot.core.render import finish
from bot.i18n import use_locale
from tests.chat import CoreChat, outgoing, texts
from tests.test_groups_core import two_groups


def shown(code: str, kind: str) -> str:
    with use_locale(code):
        return finish(crisis_text(kind))


# Floors, not aims (the aim is every crisis caught and at most 1% false crises). The test
# half's false-crisis floor was 1% until Polish joined the sets (2026-12-07): 2 of its 29
# Polish calm items are called a crisis (2.1% of 140 in all); 2.5% until the model read words
# beside characters (recall 91.8% → 93.2%, 93.6% with the completed word forms; 4 of 140 calm
# items called a crisis). Its recall
# floor was 0.90 until the 13 second-round FAQ topics' ~2,000 phrasings joined the calm
# examples the model learns from. "Reached": the crisis answer or the safety question (with 112
# and 113) when the model is unsure. Round 8 (2026-12-08; dev is now that round's 482 items):
# test recall 97.3%, reached 98.2%, false crisis 2.1% (3 of 140), false question 0.7%. Round 9
# added 320 items to dev and 285 to test, written to be hard (35 tricky look-alikes per
# language): test recall 96.4% of 331, reached 98.5%, false crisis 2.6%, false question 3.6%
# with CHECK_AT 0.425 (the false-question floor 1.5% → 4% with them; the first 429 test items
# still give 0.7%, round 9's 6.7%).
# Tuning may only use dev; the messages below print numbers only, never a test item.
@pytest.mark.parametrize("half, recall, reached, false_crisis, false_check",
                         [("dev", 0.97, 0.99, 0.025, 0.035), ("test", 0.96, 0.98, 0.03, 0.04)])
def test_recall_and_false_alarms_stay_above_their_floors(
    half: str, recall: float, reached: float, false_crisis: float, false_check: float
) -> None:
    report = crisis_eval.evaluate(crisis_eval.load(half))
    found = {"recall": report.recall(), "reached": report.reached(),
             "false crisis": report.false_crisis_rate(),
             "false question": report.false_check_rate()}
    shown = ", ".join(f"{name} {value:.3f}" for name, value in found.items())
    assert found["recall"] >= recall and found["reached"] >= reached, shown
    assert found["false crisis"] <= false_crisis and found["false question"] <= false_check, shown


@pytest.mark.parametrize("text", [
    "good", "I am good", "thanks", "ok thanks", "fine", "my phone died",
    "the deadline is killing me", "I need a police certificate", "how do I kill the app",
    "I'm dying to start work", "الحمد لله", "تمام", "ጽቡቕ", "goed hoor",
    "كيف اخذ الاقامه الدائمه", "my husband took the kids to school",
    "<b>Xyzzy</b> & <i>qq", "b b i",  # one-letter tokens are no words (they were, once)
])
def test_small_talk_and_ordinary_words_are_never_a_crisis(text: str) -> None:
    reading = safety.read(text)
    assert not reading.crisis and reading.check is None, text  # not even the safety question


@pytest.mark.parametrize("text, kind", [
    ("my father hits my little sister", "child_abuse"),
    ("ክሞት እደሊ", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("he took my phone and my passport and locks me in", "domestic_violence"),
    ("my boss keeps our passports and we cannot leave the farm", "exploitation"),
    ("my son is not breathing", "medical"),
])
def test_danger_in_plain_words_is_caught_with_its_kind(text: str, kind: str) -> None:
    assert safety.read(text).kind == kind


# Round 3 (2026-12-07): concepts added to flows/crisis.yaml, in every language, with sentences
# written for these tests (not from the danger sets). The rules alone must catch them.
@pytest.mark.parametrize("text, kind", [
    # a wish to die is never excused by a word that also means "that" or "phone" elsewhere
    ("I want to die", "suicide"),
    ("I want to die, he took my phone again", "suicide"),
    ("ik wil dood, die pijn gaat nooit weg", "suicide"),
    # to sleep and never wake up
    ("I just want to go to sleep and never wake up again", "suicide"),
    ("ik wil slapen en nooit meer wakker worden", "suicide"),
    ("بدي نام الليلة وما فيق أبداً", "suicide"),
    ("nefsi anam w ma as7ash", "suicide"),
    ("ደቂሰ እንተዘይተንሲአ ይሓይሸኒ", "suicide"),
    # God, take me
    ("god please take me, I am so done", "suicide"),
    ("god moet mij halen, ik ben op", "suicide"),
    ("يا رب خدني وريحني من هالعيشة", "suicide"),
    ("ኣምላኽ ይውሰደኒ በጃኻ", "suicide"),
    # no reason to live; death as rest; "if something happens to me, look after my kids"
    ("ماكو داعي اعيش بعد", "suicide"),
    ("ክነብረሉ ምኽንያት የብለይን", "suicide"),
    ("de dood is de enige rust die ik nog zie", "suicide"),
    ("الموت ارحم لي من هيك عيشة", "suicide"),
    ("if something happens to me, please look after my kids", "suicide"),
    ("als er iets met mij gebeurt, zorg dan voor mijn kinderen", "suicide"),
    ("ገለ እንተ ኣጋጢሙኒ ንደቀይ ተኸናኸንዎም", "suicide"),
    # dialect self-harm, Iraqi "throw myself", sextortion, vomiting blood
    ("كل ليلة بكوي حالي بالولاعة", "self_harm"),
    ("راح اذب روحي من فوق البناية", "suicide"),
    ("someone has my nude photos and wants me to come to his flat", "sexual_violence"),
    ("واحد بيبتزني بصوري وبدو يشوفني لحالي", "sexual_violence"),
    ("my father is vomiting blood and very pale", "medical"),
    ("ወደይ ደም ይተፍእ ኣሎ ሕጂ", "medical"),
    # exploitation and control in Latin Tigrinya
    ("ab geza sdra bzey dmoz eserh, kab geza kwets ayfqduleyn", "exploitation"),
])
def test_round_three_concepts_catch_danger_with_its_kind(text: str, kind: str) -> None:
    reading = safety.detector().read(text)
    assert reading.kind == kind, text


@pytest.mark.parametrize("text", [
    "My phone died, I will call you tonight",
    "موبايلي مات، بحكيك بكرة",
    "ሞባይለይ ሞይቱ፡ ጽባሕ ክድውለልካ እየ",
    "This form is killing me, so many questions",
    "الورق ده هيموتني، مش فاهم حاجة",
    "እዚ ፎርም ቀቲሉኒ",
    "The doctor said two tablets of paracetamol a day, can I take three?",
    "الدكتور قال حبتين بنادول باليوم، ينفع تلاتة؟",
    "ሓኪም ክልተ ከኒና ኣብ መዓልቲ ውሰድ ኢሉኒ",
    "My husband took my phone to the repair shop",
    "جوزي أخد تلفوني عالتصليح",
    "My father took my passport to the embassy to renew it",
    "The IND kept my passport during the procedure, when do I get it back?",
    "De IND heeft mijn paspoort tijdens de procedure, wanneer krijg ik het terug?",
    "Our neighbour's dog attacked our cat",
    "ሰበይተይ ነፍሰ ጾር እያ፡ ሓኪም ኣበይ ይርከብ?",
    "ፈተና ኢንቡርገሪንግ ክሳብ መዓስ ክሓልፍ ኣለኒ?",
    "I burned the rice again, cooking on this stove is hard",
])
def test_round_three_look_alikes_stay_calm(text: str) -> None:
    assert not safety.read(text).crisis, text


@pytest.mark.parametrize("text", [
    # the rules' guards (a question about age, a child who hits others, a bump); the learned
    # model still reads some of these as danger, which only the rules' phrases can excuse
    "Mag een kind van 11 een uurtje alleen thuis zijn?",
    "The teacher says my son hits other kids at school",
    "ik sla mijn hand tegen de deur, beetje blauw",
    "Our neighbour's dog bit my son's hand",
    "My boss says I can't leave before 5, is that normal?",
])
def test_round_three_guards_keep_the_rules_calm(text: str) -> None:
    assert not safety.detector().read(text).crisis, text



# Round 4 (2026-12-07): concepts added to flows/crisis.yaml, with sentences written for these
# tests (not from the danger sets). The rules alone must catch them.
@pytest.mark.parametrize("text, kind", [
    # "I'll end it" with goodbye arrangements or the means; a goodbye and then the phone is off
    ("Ik heb de spullen van de kinderen naar mijn moeder gebracht, vanavond maak ik er een eind "
     "aan", "suicide"),
    ("mam już sznur, dziś to skończę", "suicide"),
    ("mijn broer zei: zorg goed voor mama. Nu staat zijn telefoon uit", "suicide"),
    # swallowed bleach or a battery; chest pain in words; a stroke's signs that came suddenly
    ("ابني شرب كلور من تحت المجلى", "medical"),
    ("my toddler swallowed a button battery", "medical"),
    ("صدري بيوجعني كتير وواصل لكتفي", "medical"),
    ("ደረተይ ብርቱዕ ይቃንዮ", "medical"),
    ("Opeens praat mijn vader raar en zijn mond hangt", "medical"),
    ("nagle bełkocze i nie czuje ręki", "medical"),
    # Arabizi razor cuts; "she says she fell"; no wages and a bed at work; a boss's men with sticks
    ("3am 2assayt 7ali bl shafra", "self_harm"),
    ("My colleague always says she fell, her husband hits her when he drinks", "domestic_violence"),
    ("No wages for three months and I sleep in the back of the shop", "exploitation"),
    ("szef mówi, że jak pójdę do inspekcji, to przyjdą jego ludzie z kijami", "exploitation"),
    # a child left alone at night; a pupil to be married off
    ("ciocia zostawia pięciolatka samego w domu na noc", "child_abuse"),
    ("ابوها بدو يزوجها وهي تلميذة بالصف السادس", "child_abuse"),
])
def test_round_four_concepts_catch_danger_with_its_kind(text: str, kind: str) -> None:
    reading = safety.detector().read(text)
    assert reading.kind == kind, text


@pytest.mark.parametrize("text", [
    # Tigrinya words whose consonant skeletons are those of danger words: "where" (my father),
    # "a letter" (beating), "closed" (locked in), "to continue" (to burn), "bed" (her bed)
    "ኣበይ ክሕብር? ሓወይ ደብዳበ ካብ ገመንተ ተቐቢሉ",
    "ሰንበት ሓኪም ስድራ ዕጹው እዩ፡ ሰበይተይ ሓሚማ",
    "ጓለይ ትምህርቲ ክትቕጽል ትደሊ፡ ኣበይ ትምዝገብ?",
    "ሓድሽ ዓራት ክገዝእ ሓገዝ ኣሎ ዶ?",
    # eviction, a game, the ambulance's bill, a cough, a film, papers kept on purpose
    "They will kick me out of the flat if I don't pay the rent, is that legal?",
    "My son beat me at backgammon again 😂",
    "Wie betaalt de ambulance als ik geen aanvullende verzekering heb?",
    "I have a cold and my chest hurts when I cough, do I need the huisarts?",
    "We watched a film where the husband kills his wife, my daughter can't sleep",
    "Can I keep my old passport after I get Dutch citizenship?",
    "Suddenly the DigiD app does not open any more",
])
def test_round_four_look_alikes_stay_calm(text: str) -> None:
    assert not safety.read(text).crisis, text


# Round 5 (2026-12-07): situations named by concepts (a body sign and its severity, a place and a
# jump, a goodbye and "you won't see me again"), with sentences written for these tests (not from
# the danger sets). The rules alone must catch them.
@pytest.mark.parametrize("text, kind", [
    # about to jump from a roof or a viaduct; a note and "you won't see me again"
    ("Mój szwagier stoi na wiadukcie i mówi, że skoczy", "suicide"),
    ("ik sta op het dak van de flat en ik ga springen", "suicide"),
    ("I left a note for my daughter on the table, you won't see me again", "suicide"),
    # bleeding that spurts; pregnancy; a fall, then silence; asthma; fever, neck; low sugar; choking
    ("the saw slipped and the blood is spurting from his leg", "medical"),
    ("jestem w ciąży i krwawię", "medical"),
    ("Ik ben 34 weken zwanger en de baby beweegt niet meer", "medical"),
    ("ابني وقع من الدرج وما عم يحكي", "medical"),
    ("my son has asthma and his inhaler is not working, he can't talk", "medical"),
    ("my daughter has a high fever and a stiff neck", "medical"),
    ("عندي سكري وبرجف وعرق بارد", "medical"),
    ("my son is choking on chewing gum and turning blue", "medical"),
    # no memory and undressed; grabbed and told to keep quiet
    ("I woke up undressed in a stranger's bed and remember nothing", "sexual_violence"),
    ("Kierownik złapał mnie za piersi i powiedział: nie mów nikomu", "sexual_violence"),
    # a child shut in a cupboard; a black eye kept secret; lateness never excuses hitting
    ("Sąsiadka zamyka swoją czterolatkę w szafie na całe popołudnie", "child_abuse"),
    ("my neighbour has a black eye again and begged me not to tell anyone", "domestic_violence"),
    ("mijn man vermoordt me als ik te laat thuis kom, ik ben echt bang", "domestic_violence"),
    ("szef mnie uderzył, bo się spóźniłem", "exploitation"),
    ("my boss won't let me see a doctor after I fell at work", "exploitation"),
    # the same dangers, still caught after the completed forms' review; Tigrinya "and" (ድማ)
    # no longer reads as "cat", which excused a relative who hits
    ("chcę skończyć ze sobą", "suicide"), ("جرحت ايدي بالموس", "self_harm"),
    ("syn dostaje pasem od ojca", "child_abuse"), ("mąż dusi ją za szyję", "domestic_violence"),
    ("ኣቦይ ንሓፍተይ ይወቕዓ ድማ የፈራርሓ", "domestic_violence"),
])
def test_round_five_concepts_catch_danger_with_its_kind(text: str, kind: str) -> None:
    reading = safety.detector().read(text)
    assert reading.kind == kind, text


@pytest.mark.parametrize("text", [
    # "… will kill me if I'm late", something harmless swallowed, health questions, jumping for
    # fun, "I'll pop to the shop", a move, bleeding gums
    "my boss will kill me if I'm late, the bus is not coming",
    "المدير رح يقتلني اذا تأخرت، القطار واقف",
    "mijn zoontje heeft kauwgom ingeslikt, moet ik naar de huisarts?",
    "I'm pregnant, where do I get a blood test?",
    "mam astmę, gdzie dostanę nowy inhalator",
    "I have diabetes, does the insurance pay for insulin?",
    "the cat jumped on the roof again",
    "skoczę do sklepu, potrzebujesz czegoś?",
    "you won't see me at the course after tonight, I'm moving to Utrecht",
    "my gums bleed a lot when I brush, which dentist?",
    # the completed word forms' review: "touches the phone", "I have my passport with me",
    # "shaved my chin with a razor", "the pain will kill me", "and" in Tigrinya
    "Syn ogląda serial i dotyka telefonu", "Skończyłem pracę, mam ze sobą paszport",
    "حلقت دقني بالموس وانجرحت شوي", "الوجع بضهري رح يقتلني",
    "zapnij pasem dziecko w samochodzie", "mama dusi mięso na obiad",  # a seat belt; braising
])
def test_round_five_look_alikes_stay_calm(text: str) -> None:
    assert not safety.read(text).crisis, text


# Round 8 (2026-12-08): the families behind the blind round-8 dev misses, in sentences written
# for these tests (helpers for Arabic, Polish and Tigrinya; Dutch and English by me). The rules
# alone must catch the dangers; the look-alikes stay calm with the model too.
@pytest.mark.parametrize("text, kind", [
    # Dutch and English
    # round 8 (the blind dev round's misses, in new words): a goodbye with "it is over"
    ("zeg tegen mijn broer dat ik van hem hou, sorry voor alles, morgen is het over", "suicide"),
    ("If I am not around anymore, please look after my cat", "suicide"),
    # heard through the wall: a cry for help among blows
    ("de buurvrouw schreeuwt om hulp en ik hoor gebonk", "domestic_violence"),
    ("I can hear banging next door and a woman screaming for help", "domestic_violence"),
    # Arabic
    # affairs put in order: the body's transport home, money left ready, "not much left"
    ("بدي أعرف قديش بكلف نقل جثماني لحلب، تركت المصاري جاهزة لإمي، خلاص ما ضل كتير", "suicide"),
    ("na2l el jesse 3al 3ira2 2adesh? sibt el flous jahze la ahli", "suicide"),
    # a fist against the wall, lines cut with a cutter
    ("كل ما يصرخ علي أبوي بلكم الحيط لحتى تنزف إيدي", "self_harm"),
    ("بعمل خطوط على بطني بالكتر كل ليلة", "self_harm"),
    # coercive control named in the third person; waking somewhere unknown, clothes torn
    ("جوز بنت خالتي مانعها تحكي مع حدا وآخد كل مصاريها", "domestic_violence"),
    ("jozha ma by5alliha tetla3 mn el beit w a5ad kel masariha", "domestic_violence"),
    ("صحيت في شقة ما بعرفها وتيابي مقطعة وما بتذكر شي", "sexual_violence"),
    ("el mas2oul bi7ot ido 3aleha w bado yfoutha 3al ma5zan bel 3afya", "sexual_violence"),
    # out of the water and not breathing (و joined), arabizi breath and pills
    ("بنتي طاحت بالكنال وطلعناها وما تتنفس", "medical"),
    ("teta ma 3am t2dar tetnaffas", "medical"),
    ("5adt 7obob ktir w 2albi 3am yd2 ktir", "medical"),
    # Polish
    # arrangements "before I'm gone" and a day to end it; a goodbye and a pile of pills
    ("oddałem psa bratu, zanim mnie nie będzie, w poniedziałek z tym skończę", "suicide"),
    ("kolega napisał na grupie: żegnam was, i wysłał zdjęcie kupki tabletek", "suicide"),
    # heated metal on the skin; glass, again; fists on one's own face
    ("rozgrzewam agrafkę zapalniczką i przykładam do nadgarstka", "self_harm"),
    ("znowu pocięłam się odłamkiem szkła", "self_harm"),
    ("jak coś schrzanię, walę się pięściami po twarzy", "self_harm"),
    # held down and "used"; a man who gets at a flatmate; torn clothes and tears; a night summons
    ("przytrzymali mnie we dwóch i wykorzystali", "sexual_violence"),
    ("wlasciciel pokoju dobiera sie do mojej wspollokatorki", "sexual_violence"),
    ("wróciła w rozdartej koszuli, zapłakana i z zadrapaniami", "sexual_violence"),
    ("kierownik chce, żebym przyszła do jego pokoju w nocy, to dostanę więcej godzin",
     "sexual_violence"),
    # the throat, the wall, the hair; deleted contacts; a tracker; "he promised he'll get her"
    ("mój chłop przycisnął mnie do ściany i złapał za gardło", "domestic_violence"),
    ("mijn vriend wyciągnął mnie za włosy z łóżka", "domestic_violence"),
    ("partner pokasował mi wszystkich znajomych z telefonu", "domestic_violence"),
    ("jej były zapowiedział, że ją jeszcze dorwie", "domestic_violence"),
    # no 112 after a machine injury; "a doctor costs you the room"
    ("brygadzista zakazał dzwonić na 112, kiedy Piotrek wsadził rękę w maszynę", "exploitation"),
    ("szef zabronił wzywać karetkę, leżę na kwaterze", "exploitation"),
    ("agencja mówi, że jak pójdę do dokter, to stracę kamer", "exploitation"),
    # magnets swallowed; half the face numb; pregnancy with flashes; lips turning blue
    ("synek połknął magnesy z klocków", "medical"),
    ("nagle zdrętwiała mi połowa twarzy i ręka mnie nie słucha", "medical"),
    ("jestem zwanger, 32 tydzień, mam mroczki przed oczami", "medical"),
    ("dziadek nagle zsiniał na twarzy", "medical"),
    # Tigrinya
    # violence heard through the wall: screaming with "help me" or things smashed
    ("ጎረቤትና ብለይቲ ትጭድር 'ሓግዙኒ' ትብል፡ ብርጭቆ ይሰባበር ኣሎ", "domestic_violence"),
    ("gorebet ab kflu sebeytu tchdr ala, negerat ydrbyu, hgzuni tbl", "domestic_violence"),
    # an adult alone with a child who is told to keep quiet
    ("ኣሰልጣኒ ንጓለይ ንበይና ናብ ገዛኡ ይወስዳ፡ 'ንስድራኺ ኣይትንገሪ' ይብላ", "child_abuse"),
    ("trainer gualna ab mekinau nab gezau ywesda, 'aytnegeri' ybla", "child_abuse"),
    # an allergy and a swelling tongue or throat
    ("ኣለርጂ ለውዝ ኣለዎ፡ ሕጂ መልሓሱ ይሓብጥ ኣሎ", "medical"),
    ("wedey allergy alewo, gororu yhabt alo", "medical"),
    # "I'll break your arm"; a mother who hits is no self-harm (ኣደይ is not ኢደይ, "my hand")
    ("ሰብኣየይ 'እንተ ወጺእኪ ኢድኪ ክሰብራ እየ' ይብለኒ", "domestic_violence"),
    ("ኣደይ ብበትሪ ትወቕዓኒ", "domestic_violence"),
])
def test_round_eight_families_are_caught_by_the_rules(text: str, kind: str) -> None:
    assert safety.detector().read(text).kind == kind, text


@pytest.mark.parametrize("text", [
    # Dutch
    "Ik ga dood van de zenuwen voor mijn rijexamen",  # a Dutch hyperbole
    "we hoorden gebonk bij de buren, ze zijn aan het verbouwen",  # a sound alone
    # Arabic
    # a natural death's repatriation, "not much left" before an exam, money set aside, a small
    # cut with a plaster, henna lines, a child fine after the pool, "بالعافية" as "barely",
    # "nobody knocks on my door" (بابي is also "daddy"; يدق is also "knocks")
    "عمي توفى الله يرحمه، كيف بننقل الجثمان لتركيا؟",
    "خلاص ما ضل كتير عالامتحان، حطيت المصاري للكورس",
    "el flous jahze la ahli, ba3atton bukra",
    "ابني انجرح بإصبعه وهو عم يقطع بندورة، حطيتله لزقة والدم وقف",
    "رسمت خطوط على إيدي بالحنة للعيد",
    "بنتي وقعت بالمسبح بس طلعت لحالها وعم تضحك",
    "بقوم من السرير بالعافية من التعب بس بروح عالشغل",
    "صار لي شهور بكلم الحيطان، ما حدا بيدق بابي",
    # Polish
    # a bruised nail, a relative who hit himself; a cold or smoke that "chokes"; a knife warmed
    # for cake; a torn parcel; "he used his leave"; a boss's joke; a sick-note question
    "palec u nogi zsiniał po meczu, zejdzie samo?",
    "tata uderzył się młotkiem w palec przy wieszaniu półki",
    "dusi mnie ten kaszel od tygodnia, co na to w aptece?",
    "smog mnie dusi, dobrze że tu jest czyste powietrze",
    "rozgrzewam nóż w gorącej wodzie, żeby pokroić tort",
    "paczka przyszła podarta, bluzka rozdarta, jak zwrócić?",
    "wykorzystałem cały urlop, czy mogę wziąć wolne bez wynagrodzenia?",
    "czy pracodawca może mnie zwolnić, jeśli pójdę na L4?",
    "jak mnie nie będzie w domu, kurier zostawi paczkę u sąsiada",
    "w ciąży mam mroczki, jak szybko wstaję, to normalne?",
    "mój vriend śledzi mnie na instagramie od dawna haha",
    # Arabic, round 9
    # round 9: pests, renovation, a dizzy spell, a small bump (single words were emergencies)
    "في صراصير بالمطبخ، شو بيقتلهن؟", "الجيران بيجددوا البيت والصوت رح يقتلني",
    "عندي دوخه خفيفه من الصبح، لازم روح عالدكتور؟", "ابني طلعله ورم صغير براسه بس عم يلعب عادي",
])
def test_round_eight_and_nine_look_alikes_stay_calm(text: str) -> None:
    assert not safety.read(text).crisis, text


@pytest.mark.parametrize("text", [
    # Arabic
    "صار لي شهور بكلم الحيطان، ما حدا بيدق بابي",  # loneliness: talking to the walls
    "الشب اللي منساعده صاير ساكت وحزين",  # و joined to the feeling
    # Tigrinya
    "ንስድራይ ክሕግዞም ስለ ዘይክእል እሓዝን", "ኩሉ ደብዳቤ ብሓንሳብ መጺኡ፡ ካብ ዓቕመይ ሓሊፉ",
])
def test_round_eight_distress_gets_the_line_from_the_rules(text: str) -> None:
    reading = safety.detector().read(text)
    assert reading.distress and not reading.crisis, text


def test_a_joke_with_a_laughing_emoji_is_asked_about_not_answered_as_a_crisis() -> None:
    joke = "ik vermoord mijn broer als hij mijn patat opeet 😂"
    assert safety.read(joke.removesuffix(" 😂")).kind == "domestic_violence"
    assert not safety.read(joke).crisis and safety.read(joke).check == "domestic_violence"
    assert safety.read("I want to die 😂").check == "suicide"  # never silence
    assert safety.read("I want to die 😭").kind == "suicide"  # crying is no joke


@pytest.mark.parametrize("text", [
    "I am allergic to nuts and ate one, my throat is closing",
    "عندي حساسيه من الفول السوداني وأكلت، زوري عم يسكر",
    "mam uczulenie na orzechy, zjadłam jednego i puchnie mi gardło",
])
def test_an_allergy_with_a_closing_throat_is_an_emergency(text: str) -> None:
    assert safety.read(text).kind == "medical", text


def test_a_bike_named_in_a_goodbye_does_not_excuse_it() -> None:
    assert not safety.detector().excused("take my bike, I won't need it after tonight")
    assert safety.detector().excused("can I park my bike in the hallway")


def test_an_everyday_phrase_keeps_the_model_from_calling_a_crisis() -> None:
    assert safety.detector().excused("my phone died, sorry")
    assert not safety.detector().excused("I want to die")
    assert not safety.read("my phone died, sorry for the late answer").crisis


@pytest.mark.parametrize("text", [
    "my phone screen broke, I write from my wife's phone",  # an everyday phrase explains it
    "I'm dying to see my kids, their flight is in March",
    "mijn telefoon is kapot, ik bel later", "mijn batterij is leeg",  # not "I'm broken, empty"
    "hoe ruil ik mijn rijbewijs om voor een Nederlands",
    "شلون أبدل إجازة السياقة العراقية بوحدة هولندية",  # بوحدة: "for one", not loneliness
])
def test_everyday_words_get_no_gentle_line_either(text: str) -> None:
    reading = safety.read(text)
    assert not reading.crisis and not reading.distress, text


@pytest.mark.parametrize("text", [
    "ik ben helemaal kapot, ik kan niet meer", "ik voel me leeg sinds ik hier ben",
    "بحس بوحدة كبيرة من يوم وصلت", "my phone broke and nobody calls me, I feel so alone",
])
def test_distress_in_the_same_words_still_gets_the_line(text: str) -> None:
    reading = safety.read(text)
    assert reading.distress or reading.crisis, text


def test_nothing_but_small_talk_that_all_is_well_gets_no_safety_question() -> None:
    # the model alone once asked "nothing new, all fine" whether the writer was in danger
    assert safety.all_is_well("ماكو شي، كلشي تمام") and safety.all_is_well("kifkon ya shabeb")
    assert not safety.all_is_well("not good") and not safety.all_is_well("fine, help me")
    assert safety.read("ماكو شي، كلشي تمام") == safety.CALM
    assert safety.read("not good, I am so tired and alone").distress  # "not good" is read


def test_reports_about_someone_else_are_recognised() -> None:
    reading = safety.read("de ex van onze nieuwkomer bedreigt haar en slaat haar dochter")
    assert reading.crisis and reading.about_other


@pytest.mark.parametrize("text", [
    # a role settles it, however many "me"s follow ("she asked me", "told me")
    "Ik ben docent. Een leerling liet me vandaag striemen op haar rug zien, haar vader slaat haar",
    "I'm a volunteer at the language cafe and a girl told me her boss locks her in at night",
])
def test_a_supporters_role_makes_it_a_report(text: str) -> None:
    reading = safety.read(text)
    assert reading.crisis and reading.about_other, text


def test_a_neighbour_who_hits_the_writer_is_no_report() -> None:
    reading = safety.read("de buurman slaat me als ik hem tegenkom op de trap")
    assert reading.crisis and not reading.about_other


@pytest.mark.parametrize("text", [
    "my husband took my passport and my bank card, he says I cannot go out",  # "he"
    "hij heeft mijn paspoort en mijn telefoon afgepakt en ik mag niet naar buiten",  # "hij"
    "nie chcę już żyć, ze sobą skończę dziś",  # Polish "ze" is no Dutch "ze" (she)
    # Arabic: a verb of harm with "me", the writer's own passport; على and إلى (علي, الي after
    # normalising) and "I", "we", "my son" no longer count as the writer
    "جوزي بيضربني قدام ولادي", "أخوي حابسني بالبيت وماخد جوازي",
    "أنا وبنتي خايفين، جوزي هددني يقتلني", "ابوي بيكويني بالمعلقة السخنة",
])
def test_the_writers_own_danger_is_not_told_it_is_about_someone_else(text: str) -> None:
    reading = safety.read(text)
    assert reading.crisis and not reading.about_other, text


@pytest.mark.parametrize("text", [
    # a mouse or insects to kill; a killed mouse; a wall knocked on; ድማ ("and") is no blood
    "ኣብ መኽዘን ኣንጭዋታት ኣለዉ፡ ብኸመይ ክቐትሎም?", "ab kelder muizen alewu, kemey gere kqetlom?",
    "ሰብኣየይ ትማሊ ኣንጭዋ ቀቲሉ 😂", "ጎረቤትና ገዛ ይሕድሱ፡ ምሉእ መዓልቲ ድምጺ ምውቃዕ መንደቕ",
    "ብዙሕ ስራሕ ነይሩ ድማ ደኺመ፡ ጽባሕ ዕረፍቲ",
    # an allergy asked about; a coach who drives all the children to the match
    "ወደይ ለውዝ ኣለርጂ ኣለዎ፡ ኣብ ትምህርቲ ምግቢ ብኸመይ?", "ኣሰልጣኒ ንኹሎም ቆልዑ ብመኪናኡ ናብ ግጥሚያ ይወስዶም",
    "ኣምላኽ ይሓልወኪ፡ ዕድመን ጥዕናን ይሃብኪ", "ሓወይ ክርእዮ ሞይተ 😍 ኣብ ሓጋይ ክመጽእ እዩ",
])
def test_round_eight_tigrinya_look_alikes_stay_calm(text: str) -> None:
    reading = safety.read(text)
    assert not reading.crisis and not reading.check, text


@pytest.mark.parametrize("text", [
    "ኣምላኽ ይሓልወኪ፡ ዕድመን ጥዕናን ይሃብኪ", "ሓወይ ክርእዮ ሞይተ 😍 ኣብ ሓጋይ ክመጽእ እዩ",
    "ብጾም ደኺመ ግን ሕጉስ እየ",
])
def test_round_eight_tigrinya_blessings_and_longing_get_no_gentle_line(text: str) -> None:
    assert not safety.read(text).distress, text


@pytest.mark.parametrize("text, other", [
    # a sister, the woman a sponsor group helps, a mother: reported by someone else ("our
    # house", "we help" are the reporter's, not the victim's)
    ("ሓፍተይ ሰብኣያ ይወቕዓ፡ ሕጂ ኣብ ገዛና ኣላ", True),
    ("ንሕግዛ ዘለና ሰበይቲ ሰብኣያ ፓስፖርታ ሓቢኡ፡ ምሳና ክትዛረብ ኣይፈቕደላን", True),
    ("haftey sebeaya ywekia, hji ab gezana ala", True),
    ("ኣደይ ሃንደበት ወዲቓ ኣይትዛረብን ኣላ", True),
    # the writer's own danger, with a relative named: "me" (-ኒ), "my phone", "my passport"
    ("ሰብኣየይ ይወቕዓኒ፡ ሓፍተይ ኣብ ዓዲ እያ", False),
    ("ሓወይ ተሌፎነይን ፓስፖርተይን ሒዙ ክወጽእ ኣይፈቕደለይን", False),
])
def test_round_eight_tigrinya_reports_about_someone_else(text: str, other: bool) -> None:
    reading = safety.detector().read(text)
    assert reading.crisis and reading.about_other == other, text


@pytest.mark.parametrize("text", [
    # a friend, a colleague, a neighbour's daughter, a nephew: named with clitics, or in arabizi
    "صاحبتي جوزها بيضربها وماخد كل فلوسها",
    "زميلتي بالشغل المدير بيحط ايده عليها وبيهددها",
    "ابن أختي عم يجرح حاله بالموس",
    "sa7bti jozha bidrobha kel yom",
    "بنت جيراننا عمرها ١٤ وأبوها بيضربها بالحزام",
])
def test_arabic_reports_about_someone_else_are_recognised(text: str) -> None:
    reading = safety.read(text)
    assert reading.crisis and reading.about_other, text


def test_a_rule_naming_an_unknown_concept_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "crisis.yaml"
    bad.write_text("spec_version: 2\nconcepts: {die: {en: [die]}}\n"
                   "rules: [{tier: crisis, kind: suicide, all: [die, want]}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not defined"):
        safety.load(bad)


async def test_crisis_outranks_the_journey_and_the_journey_resumes(core: Core) -> None:
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.press("j:first_steps::o")
    outcome = await chat.send("ik wil niet meer leven")
    assert outcome.replies[0].text.startswith(shown("nl", "suicide"))
    assert any(b.data.startswith("q:ask:") for b in outcome.replies[0].keyboard[0])
    assert any(b.data.startswith("j:first_steps:") for b in chat.buttons)


async def test_a_person_asked_for_from_a_crisis_answer_is_told_before_anything_else(
    core: Core,
) -> None:
    admin = CoreChat(core, 4242)
    await admin.send("/start")
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.send("ik wil niet meer leven")
    await chat.press(next(b.data for b in chat.buttons if b.data.startswith("q:ask:")))
    waiting = await outgoing(core)
    assert [item.lane for item in waiting if item.chat_id == 4242] == [Lane.URGENT]


async def test_before_a_language_is_chosen_the_answer_uses_the_language_written(
    core: Core,
) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    outcome = await chat.send("بدي انتحر")
    assert outcome.replies[0].text == shown("ar", "suicide")
    assert [b.data for b in chat.buttons][:2] == ["lang:nl", "lang:en"]  # the picker again


async def test_edited_messages_are_checked_too(core: Core) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    await chat.press("lang:en")
    outcome = await core.handle(Incoming(chat.user_id, chat.user_id, Kind.EDITED,
                                         text="i want to kill myself"))
    assert shown("en", "suicide") in texts(outcome)


# Words the learned model is unsure about: not a crisis, not calm. If a change to the examples
# moves one out of the band, pick another such message (`main.py ask` shows safety_check).
UNSURE = "what is the point of waking up"


async def test_when_unsure_the_bot_asks_with_the_numbers_and_a_yes_shows_the_help(
    core: Core,
) -> None:
    admin = CoreChat(core, 4242)
    await admin.send("/start")
    chat = CoreChat(core, 1202)
    await chat.onboard("en")
    assert safety.read(UNSURE).check == "suicide" and not safety.read(UNSURE).crisis
    outcome = await chat.send(UNSURE)
    with use_locale("en"):
        asked, gentle = finish(question_text()), finish(distress_text(None))
    first = outcome.replies[0]
    assert first.text == asked and "112" in asked and "0800-0113" in asked
    assert [b.data for row in first.keyboard for b in row] == ["cr:y:suicide:me"]
    assert len(outcome.replies) > 1 and gentle not in texts(outcome)  # the normal answer too
    help_shown = await chat.press("cr:y:suicide:me")
    assert help_shown.replies[0].text.startswith(shown("en", "suicide"))
    await chat.press(next(b.data for b in chat.buttons if b.data.startswith("q:ask:")))
    waiting = await outgoing(core)
    assert [item.lane for item in waiting if item.chat_id == 4242] == [Lane.URGENT]


async def test_distress_keeps_the_answer_and_adds_one_gentle_line(core: Core) -> None:
    chat = CoreChat(core, 1201)
    await chat.onboard("en")
    outcome = await chat.send("I am so lonely here. Where can I practise Dutch without paying?")
    with use_locale("en"):
        gentle = finish(distress_text(None))
    # the normal reply first (the answer, or, since Polish phrasings joined the model at
    # 0.58 against 0.6, the free-lessons answer offered first), the gentle line last
    first = outcome.replies[0]
    offered = [b.data for row in first.keyboard for b in row]
    assert "Dutch" in first.text or offered[0] == "faq:language.free_lessons:a"
    assert outcome.replies[-1].text == gentle
    assert shown("en", "suicide") not in texts(outcome)


async def test_a_sponsor_member_reporting_someone_else_is_pointed_to_the_coordinator(
    core: Core,
) -> None:
    member, _other, _a, _b = await two_groups(core)
    outcome = await member.send("de ex van onze nieuwkomer bedreigt haar en slaat haar dochter")
    text = outcome.replies[0].text
    assert "0800-2000" in text and "coördinator" in text.lower()
