"""Dialog widgets, in the spirit of aiogram-dialog: a question's buttons own their payloads
(bot.core.payloads) and draw themselves, and a dialog is declared as data.

    APPOINTMENT = Dialog(Appointments(),
        Step("what", ask(N_("What is the appointment?")),
             Select(PickWhat, kinds, then=what), CANCEL),
        Step("date", ask(N_("On which day?")), Calendar(PageMonth, PickDay, then=day), CANCEL),
        …)

The feature's Host says where the draft is (the person's state, the chat, the key its
buttons carry) and which step it is at. Widgets read their presses, turn pages, refuse
buttons of a step the draft is not at or options that were not offered, and hand the
answer to `then`, which keeps it and names the next step. Typed text goes to the step's
widget that reads it (a TextInput; a Calendar reads "12-3" or "12 maart"); a step with
buttons only points to them.
"""

from bot.core.dialogs.calendar import Calendar, DayPick, MonthPage, a_year_back, today
from bot.core.dialogs.dialog import Dialog, Host, Question, Reader, Step, Widget, ask
from bot.core.dialogs.typed import read_date, read_moment, read_time
from bot.core.dialogs.widgets import (
    Chosen,
    Confirm,
    Link,
    MultiSelect,
    Pager,
    Pressed,
    Row,
    Select,
    Tap,
    TextInput,
    chars,
)

__all__ = ["Calendar", "Chosen", "Confirm", "DayPick", "Dialog", "Host", "Link", "MonthPage",
           "MultiSelect", "Pager", "Pressed", "Question", "Reader", "Row", "Select", "Step",
           "Tap", "TextInput", "Widget", "a_year_back", "ask", "chars", "read_date",
           "read_moment", "read_time", "today"]
