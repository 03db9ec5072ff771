"""Writes the XLSForms in own/ for consent-kit's tests (run: python tests/data/interop/make_own.py)."""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent / "own"


def workbook(name, survey, choices, settings):
    book = Workbook()
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book.active if title == "survey" else book.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
    book.save(HERE / name)


# Every feature the importer maps, and every kind of row it leaves out.
workbook("youth-services.xlsx", [
    ["type", "name", "label::English (en)", "label::Cymraeg (cy)", "hint::English (en)", "required",
     "required_message", "relevant", "constraint", "constraint_message", "appearance", "calculation",
     "parameters", "default", "image"],
    ["start", "start"],
    ["deviceid", "deviceid"],
    ["note", "intro", "Welcome ${name}", "Croeso"],
    ["text", "name", "What should we call you?", "Beth yw dy enw?", "A first name is fine", "yes"],
    ["integer", "age", "How old are you?", "Faint yw dy oed?", "", "yes", "Tell us your age", "",
     ". >= 11 and . <= 25", "Enter an age from 11 to 25"],
    ["select_one yn", "care", "Do you have care experience?", "", "", "yes"],
    ["select_multiple services or_other", "used", "Which services have you used?", "", "", "no", "",
     "${care} = 'yes'"],
    ["begin group", "about-club", "About the club", "", "", "", "", "selected(${used}, 'club')", "", "",
     "field-list"],
    ["range", "rating", "How good is the club?", "", "", "yes", "", "", "", "", "", "",
     "start=1 end=5 step=1"],
    ["text", "better", "What would make it better?", "", "", "no", "", "", "string-length(.) <= 200", "",
     "multiline"],
    ["end group"],
    ["date", "visit", "When did you last go?", "", "", "no", "", "", "", "", "", "", "", "today()"],
    ["select_one club_kind", "club_kind", "What kind of club?", "", "", "no", "",
     "${care} != 'no' and selected(${used}, 'sport')"],
    ["range", "hours", "How many hours a week?", "", "", "no", "", "", "", "", "", "",
     "start=0 end=40 step=0.5"],
    ["text", "postcode", "First half of your postcode", "", "", "no", "", "", "regex(., '^[A-Z]{1,2}[0-9]')"],
    ["datetime", "when_started", "When did you start?", "", "", "no"],
    ["calculate", "total_score", "", "", "", "", "", "", "", "", "", "${age} * 2"],
    ["begin repeat", "kids", "Children"],
    ["text", "kid_name", "Child's name"],
    ["end repeat"],
    ["geopoint", "where", "Where are you?"],
    ["image", "photo", "Take a photo"],
    ["time", "time_of_day", "What time is it?"],
    ["decimal", "spend", "How much do you spend a week?", "", "", "no", "", "${age} > 15 or ${care} = 'no'",
     ". > 0"],
    ["note", "pic", "Look at this", "", "", "", "", "", "", "", "", "", "", "", "club.png"],
    ["text", "sometimes", "Tell us more", "", "", "${age} > 16"],
    ["select_one missing_list", "broken", "This list isn't there"],
], [
    ["list_name", "name", "label::English (en)", "label::Cymraeg (cy)"],
    ["yn", "yes", "Yes", "Ydw"], ["yn", "no", "No", "Nac ydw"], ["yn", "pnts", "Prefer not to say", ""],
    ["services", "club", "Youth club", "Clwb"], ["services", "sport", "Sport", ""],
    ["services", "online", "Online groups", ""], ["services", "online", "Online groups again", ""],
    ["club_kind", "football", "Football"], ["club_kind", "swim", "Swimming"],
], [["form_title", "form_id", "default_language", "submission_url"],
    ["Youth services", "youth_services", "English (en)", "https://example.org/submit"]])

# A short feedback form with plain "label" columns and old-style type names.
workbook("event-feedback.xlsx", [
    ["type", "name", "label", "hint", "required", "relevant"],
    ["select one from agree", "enjoyed", "Did you enjoy the event?", "", "yes"],
    ["select all that apply from parts", "best", "What were the best parts?", "Tick all that apply", "no"],
    ["text", "why", "Why did you like the music?", "", "no", "selected(${best}, 'music')"],
    ["select one from agree or specify other", "again", "Would you come again?", "", "yes"],
    ["note", "thanks", "Thank you!"],
], [
    ["list_name", "name", "label"],
    ["agree", "yes", "Yes"], ["agree", "no", "No"], ["agree", "maybe", "Maybe"],
    ["parts", "music", "Music"], ["parts", "food", "Food"], ["parts", "none", "None of these"],
], [["form_title", "form_id"], ["Event feedback", "event_feedback"]])

# A wellbeing check-in in three languages, groups that are not field-lists, and a group condition.
workbook("wellbeing-checkin.xlsx", [
    ["type", "name", "label::English", "label::Welsh", "label::Polish", "required", "relevant", "appearance"],
    ["select_one yes_no", "consent_ok", "Are you happy to answer a few questions?", "Wyt ti'n hapus?",
     "Czy chcesz odpowiedzieć?", "yes"],
    ["begin group", "feelings", "How you feel", "Sut rwyt ti'n teimlo", "Jak się czujesz", "",
     "${consent_ok} = 'yes'"],
    ["select_one often", "calm", "How often did you feel calm?", "Pa mor aml?", "Jak często?", "yes"],
    ["select_one often", "worried", "How often did you feel worried?", "", "", "yes"],
    ["integer", "sleep", "How many hours did you sleep last night?", "", "", "no"],
    ["end group"],
    ["text", "anything_else", "Anything else?", "", "", "no", "", "multiline"],
], [
    ["list_name", "name", "label::English", "label::Welsh", "label::Polish"],
    ["yes_no", "yes", "Yes", "Ydw", "Tak"], ["yes_no", "no", "No", "Na", "Nie"],
    ["often", "never", "Never", "Byth", "Nigdy"], ["often", "sometimes", "Sometimes", "Weithiau", "Czasami"],
    ["often", "often", "Often", "Yn aml", "Często"], ["often", "refused", "Prefer not to say", "", ""],
], [["form_title", "form_id", "default_language"], ["Wellbeing check-in", "wellbeing_checkin", "English"]])
