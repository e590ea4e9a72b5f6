"""config.yaml: the shipped defaults are the seed rules; a bad key is one clear message."""

from __future__ import annotations

import re
from datetime import time
from email.utils import parseaddr
from pathlib import Path

import pytest

from tests.conftest import ROOT
from touchsheet import config as config_module
from touchsheet.engine.model import Channel, Kind
from touchsheet.errors import ConfigError


def test_the_shipped_calendar_is_r1(config):
    assert [s.day for s in config.cadence.calendar] == [0, 2, 3, 4, 5, 10, 15, 20, 30, 40]
    assert (config.cadence.nurture.every_days, config.cadence.monthly.every_days) == (7, 30)
    assert config.first_contact.deadline_minutes == 15
    assert [r.day for r in config.invoices.reminders] == [2, 3]


def test_nurture_is_five_warm_to_one_closing(config):
    kinds = [s.kind for s in config.cadence.nurture.steps]
    assert (kinds.count(Kind.WARM), kinds.count(Kind.CLOSING)) == (5, 1)


def test_english_and_russian_configs_have_the_same_rules(make_config):
    en, ru = make_config("config.yaml"), make_config("config.ru.yaml")

    def shape(c):
        return [(s.day, s.channel, s.kind, s.template) for s in c.cadence.calendar] + [
            (p.channel, p.kind) for p in (*c.cadence.nurture.steps, *c.cadence.monthly.steps)
        ]

    assert shape(en) == shape(ru)
    assert en.email_templates() <= ru.email_templates()


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_says_how_to_get_one(tmp_path):
    with pytest.raises(ConfigError, match="no such file.*touchsheet demo"):
        config_module.load(tmp_path / "nope.yaml")


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])  # what Notepad calls "ANSI" and "Unicode"
def test_a_config_not_saved_as_utf8_says_so(tmp_path, encoding):
    path = tmp_path / "config.yaml"
    path.write_bytes("company: {name: Северный ветер}\n".encode(encoding))
    with pytest.raises(ConfigError, match="config.yaml: not saved as UTF-8. Fix: open it and save it as UTF-8"):
        config_module.load(path)


def test_a_folder_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path}: cannot be read (Is a directory)")):
        config_module.load(tmp_path)


def test_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        config_module.load(write(tmp_path, "timezone: [unclosed"))


def test_each_bad_key_is_named_with_the_fix(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config(
            timezone="Mars/Base",
            forgotten_after_dayz=3,
            first_contact={"deadline_minutes": 0},
            cadence={"calendar": [{"day": 0, "channel": "email", "kind": "warm", "reason": "hi"}]},
        )
    message = str(caught.value)
    assert "timezone: 'Mars/Base' is not a time zone name" in message
    assert "forgotten_after_dayz: unknown key (did you mean `forgotten_after_days`?)" in message
    assert "first_contact.deadline_minutes: Input should be greater than or equal to 1" in message
    assert "cadence.calendar[day 0]: an email step needs `template:`" in message


def test_a_region_is_not_a_time_zone(make_config):
    with pytest.raises(ConfigError, match="timezone: 'Europe' is not a time zone name"):
        make_config(timezone="Europe")


def test_an_address_mail_servers_refuse_is_named_with_its_key(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config(mail={"sender": "Sales"}, managers={"Anna": {"email": "анна@example.com"}})
    message = str(caught.value)
    assert "mail.sender: 'Sales' is not a valid email address" in message
    assert "managers.Anna.email: 'анна@example.com' has letters before the @ that mail servers refuse" in message


def test_a_bad_channel_lists_the_good_ones(make_config):
    with pytest.raises(ConfigError, match=r"cadence.calendar\[day 0\].channel: Input should be 'email', 'call'"):
        make_config(cadence={"calendar": [{"day": 0, "channel": "pigeon", "kind": "warm", "reason": "hi"}]})


def test_a_bad_list_item_is_named_by_its_day_or_name_and_the_bad_value_is_quoted(make_config):
    calendar = [
        {"day": 0, "channel": "email", "kind": "warm", "reason": "thanks", "template": "d0_thanks"},
        {"day": 4, "channel": "phone", "kind": "closing", "reason": "why not us yet?"},  # second in the list
    ]
    then = {"channel": "mail", "kind": "closing", "reason": "still unpaid", "template": "invoice_reminder"}
    new_year = {"name": "new_year", "date": "12-32", "channel": "call", "kind": "warm", "reason": "greet them"}
    with pytest.raises(ConfigError) as caught:
        make_config(cadence={"calendar": calendar}, invoices={"then": then}, greetings={"holidays": [new_year]})
    lines = str(caught.value).splitlines()[1:-1]
    channels = "Input should be 'email', 'call', 'messenger', 'sms', 'video', 'letter' or 'gift'"
    assert lines == [
        f"  - cadence.calendar[day 4].channel: {channels} (got 'phone')",  # not calendar.1: day 1, or the first step
        f"  - invoices.then.channel: {channels} (got 'mail')",  # shown though 'email' holds the word mail
        "  - greetings.holidays[new_year].date: not a day of the year: write it as MM-DD, like \"12-31\" (got '12-32')",
    ]


def test_two_invoice_reminders_of_one_day_need_an_id_each(make_config):
    # Both would be the step invoice+2@<invoice date>: the email sent would settle the call.
    call = {"day": 2, "channel": "call", "kind": "closing", "reason": "When do you pay?"}
    email = {"day": 2, "channel": "email", "kind": "closing", "reason": "The invoice", "template": "invoice_reminder"}
    with pytest.raises(ConfigError, match=r"invoices.reminders: two steps share the id invoice\+2: give each its own"):
        make_config(invoices={"reminders": [call, email]})


def test_a_daily_cap_below_one_is_refused(make_config):
    # every run would leave every email "waiting for a later run (daily or per-run cap)"
    with pytest.raises(ConfigError, match=r"mail.daily_cap: a cap below 1 sends nothing, ever: .* \(got -1\)"):
        make_config(mail={"daily_cap": -1})


def test_a_daily_cap_word_misspelt_is_one_message_under_its_key(make_config):
    with pytest.raises(ConfigError) as caught:
        make_config(mail={"daily_cap": "gmial"})
    assert str(caught.value).splitlines()[1:-1] == [
        "  - mail.daily_cap: write a number of emails, gmail or workspace (got 'gmial')"
    ]


def test_working_hours_must_make_sense(make_config):
    with pytest.raises(ConfigError, match="working_hours: `start` must be before `end`"):
        make_config(working_hours={"start": "18:00", "end": "09:00"})


def test_times_typed_without_quotes_mean_the_same_hours(tmp_path):
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace('{start: "09:00", end: "18:00"}', "{start: 9:00, end: 18:00}")
    text = text.replace('kpi_at: "07:00"', "kpi_at: 7:00")
    config = config_module.load(write(tmp_path, text))
    # YAML reads 9:00 as the number 540 (9 * 60 + 0), 18:00 as 1080, 7:00 as 420: still 09:00, 18:00, 07:00
    hours = (config.working_hours.start, config.working_hours.end, config.worker.kpi_at)
    assert hours == (time(9, 0), time(18, 0), time(7, 0))


def test_office_hours_typed_as_bare_numbers_are_refused_not_read_as_minutes_past_midnight(make_config):
    # 9 to 18 read as minutes would be 00:09-00:18: every email sent just after midnight, every task overdue
    with pytest.raises(ConfigError) as caught:
        make_config(working_hours={"start": 9, "end": 18}, worker={"kpi_at": 7})
    message = str(caught.value)
    for key in ("working_hours.start", "working_hours.end", "worker.kpi_at"):
        assert f'{key}: write the time in quotes, like "18:30"' in message


def test_a_time_with_an_offset_is_refused(make_config):
    # working hours are in `timezone:`; an offset would make them compare with nothing
    with pytest.raises(ConfigError, match="working_hours.end: a time here is in `timezone:`: write it without"):
        make_config(working_hours={"start": "09:00", "end": "18:00+03:00"})


def test_a_time_in_quotes_may_leave_out_the_leading_zero_and_one_with_a_dot_is_refused(make_config):
    config = make_config(working_hours={"start": "9:00", "end": "18:00"}, worker={"kpi_at": "7:00"})
    assert (config.working_hours.start, config.worker.kpi_at) == (time(9, 0), time(7, 0))
    # 18.30 is the number 18.3 to YAML: a time in quotes is what is meant
    with pytest.raises(ConfigError, match='working_hours.end: write the time in quotes, like "18:30"'):
        make_config(working_hours={"start": "09:00", "end": 18.30})


def test_a_sender_whose_name_holds_a_comma_keeps_its_quotes(make_config):
    config = make_config(mail={"sender": '"Northwind Freight, Inc." <sales@northwind.example>'})
    assert parseaddr(config.mail.sender) == ("Northwind Freight, Inc.", "sales@northwind.example")


def test_holiday_country_is_checked(make_config):
    with pytest.raises(ConfigError, match="holidays.country: 'XX' is not a country code"):
        make_config(holidays={"country": "XX"})


def test_paths_are_relative_to_the_config_file(config, tmp_path):
    assert config.workbook_path == tmp_path / "book.xlsx"
    assert config.resolve(Path("~/.touchsheet/gmail-oauth2.json")) == Path.home() / ".touchsheet" / "gmail-oauth2.json"
    assert config.calendar is config.calendar  # built once
    assert Channel.EMAIL.automatic and not Channel.CALL.automatic


@pytest.mark.parametrize(
    "written",
    [
        "https://docs.google.com/spreadsheets/d/1AbC-d_9xYz/edit#gid=0",
        "https://docs.google.com/spreadsheets/d/1AbC-d_9xYz/edit?usp=sharing",
        "1AbC-d_9xYz",
        " 1AbC-d_9xYz ",
    ],
)
def test_the_google_sheet_is_named_by_its_url_or_its_key(make_config, written):
    config = make_config(workbook={"backend": "google", "spreadsheet": written})
    assert config.workbook.spreadsheet_key == "1AbC-d_9xYz"


def test_a_google_backend_without_a_sheet_says_so(make_config):
    with pytest.raises(ConfigError, match="backend google needs `spreadsheet:`"):
        make_config(workbook={"backend": "google"})


def _keys(text):
    """Every key written in a config file, set or commented out (`# port: 587`)."""
    keys = re.findall(r"^\s*(?:#\s*|-\s*)?\{?([a-z_0-9]+):", text, flags=re.MULTILINE)
    return {*keys, *re.findall(r"[{,] *([a-z_0-9]+):", text)}  # and those in {start: ..., end: ...}


def test_config_yaml_shows_every_key_and_config_ru_yaml_every_one_it_shows():
    def fields(model):
        for name, field in model.model_fields.items():
            yield name
            inner = config_module._model_of(field.annotation)
            if inner is not None:
                yield from fields(inner)

    english = _keys((ROOT / "config.yaml").read_text(encoding="utf-8"))
    shown = set(fields(config_module.Config)) - {"base_dir"}  # base_dir: the config's own folder, never typed
    assert shown - english == set()
    assert english - _keys((ROOT / "config.ru.yaml").read_text(encoding="utf-8")) == set()
