"""Reply latency under load while a broadcast and reminders go out through the same budget.

The fake Bot API (fakebot/) runs in its own process and answers every call `--latency`
seconds late (30 ms: a real round trip). Wegwijs runs in this process as `main.py run` builds
it (build_core, build_application, polling) on a SQLite file in a temporary directory.

`--people` onboarded people, written straight into the database in four languages (nl, en,
ar, ti), send `--rate` updates a second for `--duration` seconds, each person one update at
a time (the next only after the reply, about every people/rate seconds): "/menu"; a journey
step (🧭 My steps from the menu, a journey, ✅ Done on its step); a typed question as people
ask it (the FAQ's own matching phrases, in the person's language); and, for the helpers of
sponsor groups (four in ten people, five to a group, 16 open tasks each), a task claim
(/groups, 📋 Open, a task, ✋ Claim: every update on that way counts as a task update).
Each chat starts with the main menu from an earlier visit; a person presses buttons on the
bot's few newest messages in their chat, as one scrolls up a little, and types a command
when none fits.
Two seconds into the load, a broadcast to `--broadcast` other newcomers starts as a
coordinator's Send starts it (delivery.start in one transaction), and `--reminders`
appointment reminders (urgent, so quiet hours do not hold them) fall due, spread evenly
over the run. The people who act, the broadcast's recipients and the reminders' recipients
have chats of their own, so a reply is the first sendMessage or editMessageText in the
person's chat after their update (not the answerCallbackQuery of a press).

Times are taken in the fake's process when it carries out a call (after its round trip).
Printed, each next to its goal: reply latency p50/p95/p99 (update queued at the fake →
reply there), the broadcast's rate while replies flow and its highest count in any
1-second window, reminder lateness (arrival minus due time), and broadcast or reminder
texts that arrived twice in one chat; with them, reply latency by kind and over the run,
and what the people did. Then, once the broadcast has finished (or stalled for 30 s), its
total duration, tasks claimed, CPU use and the bot's event-loop lag during the load, and the
bot's warnings and errors (logging is set to WARNING and counted, not printed as it comes).

    .venv/bin/python -m bench.latency
    .venv/bin/python -m bench.latency --duration 10 --people 50 --broadcast 500 --reminders 30

The parts: plan.py (who takes part, the options), world.py (the database), fake.py (the
timed fake Bot API), people.py (who acts, and how), serve.py (the fake's process), measure.py
(the bot's process), gauges.py (CPU and event-loop lag), report.py (the figures against
their goals) and __main__.py (the command line).
"""
