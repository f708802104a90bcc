"""Soak test: 500 simulated people for a few minutes with random faults, then a consistency check.

Run: .venv/bin/python -m bench.soak --duration 180

Not part of the test suite. The bot is the real PTB Application (build_application, as
`main.py run` builds it) in its own process, on a real SQLite file, polling a fake Bot API
(fakebot/) on 127.0.0.1 in this process. Here, 500 people act through that fake:
newcomers onboard in four languages, walk journeys with buttons, type FAQ questions, make
appointments (whose "one hour before" reminders fall due during the run) and ask a person;
sponsor-group members create, claim and finish tasks (in private chat and on the cards in
their group chat) and answer questions; coordinators send broadcasts. Meanwhile the fake
answers at random with 429 (retry_after), 5xx (JSON and a proxy's HTML page), 403 and cut
connections, goes away once for a few seconds, and another process holds the SQLite write
lock now and then, longer than the bot's busy timeout.

Then the people stop, the faults stop, the bot finishes what it owes and is stopped as in
production, and the database is checked against itself and against what the fake received:
no orphan rows, no lost or duplicated tasks, appointments, reminders, questions or answers,
every send the database records arrived exactly once and nothing arrived that it does not
record, nothing stuck, and no typed text in the bot's log. Figures are printed; the run in
docs/soak.md was made with the command above.

The parts: world.py (who exists before the run, seeded into the database), fake.py (the fake
Bot API with random faults), people.py (a simulated person, and the ledger of what people
did), actions.py (what they do, and each role's plan), process.py (the bot's own process),
run.py (running it all, database locks and the outage included), checks.py (the consistency
checks), report.py (the figures printed) and __main__.py (the command line).
"""
