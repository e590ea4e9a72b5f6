"""Templates: both languages complete, sandboxed, and `preview` shows the exact email."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import at, lead
from tests.conftest import EVERY_DAY, ROOT
from tests.mail.conftest import lead_row
from tests.sheets.fixtures import XlsxSheet
from touchsheet.cli import cli
from touchsheet.engine.model import UNASSIGNED, Channel, EmailTouch, Kind, Occurrence, Task
from touchsheet.mail.outbox import Outbox
from touchsheet.mail.render import Renderer, RenderProblem
from touchsheet.sync import run_once


def email_for(config, template, **fields):
    occurrence = Occurrence(
        "d0",
        "sales",
        Channel.EMAIL,
        Kind.WARM,
        "why",
        at("2026-11-02 10:00"),
        at("2026-11-03 00:00"),
        template=template,
    )
    lead_ = lead(**fields)
    return Renderer(config).email(EmailTouch(occurrence, lead_, lead_.manager), at("2026-11-02 10:05"))


@pytest.mark.parametrize("source", ["config.yaml", "config.ru.yaml"])
def test_every_email_step_has_a_subject_a_text_and_an_html_template(make_config, source):
    config = make_config(source)
    for name in config.email_templates():
        email = email_for(config, name, invoice_amount=12500.0, invoice_at=at("2026-11-02 00:00"))
        assert email.subject and "\n" not in email.subject
        assert "Ivan" in email.text and "<p>" not in email.text, name
        assert email.html.lstrip().startswith("<!doctype html>") and "Ivan" in email.html


def test_russian_texts_follow_the_seed(make_config):
    config = make_config("config.ru.yaml")
    email = email_for(config, "d0_thanks", name="Иван Петров", manager="Анна Смирнова")
    assert email.subject == "Иван, благодарим за обращение"
    assert email.text.startswith("Иван, благодарим вас за обращение в «Северный ветер»!")
    assert "Анна Смирнова, менеджер по работе с клиентами" in email.text


def test_russian_texts_write_money_the_russian_way_and_speak_for_a_manager_of_either_sex(make_config):
    config = make_config("config.ru.yaml")
    reminder = email_for(config, "invoice_reminder", invoice_amount=12500.5, invoice_at=at("2026-11-02 00:00"))
    assert "на сумму 12 500,50 ₽." in reminder.text and "на сумму 12 500,50 ₽." in reminder.html
    # Anna signs them: no past tense or "сам" that says a man wrote it (записал, решил, отвечу сам)
    for template in ("d2_product_video", "monthly_digest"):
        email = email_for(config, template, name="Иван Петров", manager="Анна Смирнова")
        words = set(re.findall(r"\w+", f"{email.subject} {email.text}".lower()))
        assert not words & {"записал", "решил", "сам", "написал", "подготовил"}, template


def test_the_invoice_reminder_says_the_amount_when_known(config):
    with_amount = email_for(config, "invoice_reminder", invoice_amount=12500.5, invoice_at=at("2026-11-02 00:00"))
    assert "the invoice for 12,500.50 of 2026-11-02." in with_amount.text
    without = email_for(config, "invoice_reminder")
    assert "a friendly reminder about the invoice.\n" in without.text


def test_the_sandbox_blocks_reaching_into_python(make_config, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "email" / "en" / "d0_thanks.txt").write_text("{{ lead.__class__.__mro__ }}")
    config = make_config(templates_dir=str(templates))
    with pytest.raises(RenderProblem, match="email d0 not sent: template d0_thanks"):
        email_for(config, "d0_thanks")


def test_a_missing_template_names_the_folder_searched_in_the_sheets_language(make_config, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "email" / "ru" / "d0_thanks.html").unlink()
    config = make_config("config.ru.yaml", templates_dir=str(templates))
    with pytest.raises(RenderProblem) as raised:
        email_for(config, "d0_thanks")
    folder = templates / "email" / "ru"
    assert raised.value.args[0].said("ru") == f"письмо d0 не отправлено: нет файла шаблона d0_thanks.html в {folder}"


def test_a_missing_templates_folder_says_to_set_templates_dir(make_config, tmp_path):
    config = make_config(templates_dir="nowhere")
    with pytest.raises(RenderProblem) as raised:
        email_for(config, "d0_thanks")
    folder = tmp_path / "nowhere" / "email" / "en"
    assert str(raised.value) == (
        f"email d0 not sent: template file d0_thanks.subject.txt is missing from {folder}"
        " (no such folder: set templates_dir in config.yaml)"
    )


def test_a_mistake_in_the_shared_signature_is_named_by_its_file_and_line(make_config, tmp_path):
    # every email includes _signature.txt: a "}" typed for "}}" on its line 2 is there, not in d0_thanks.*
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "email" / "ru" / "_signature.txt").write_text("{{ manager.signature }}\n{{ manager.phone }\n")
    config = make_config("config.ru.yaml", templates_dir=str(templates))
    with pytest.raises(RenderProblem) as raised:
        email_for(config, "d0_thanks")
    assert raised.value.args[0].said("ru") == (
        "письмо d0 не отправлено: шаблон d0_thanks с ошибкой (_signature.txt, строка 2: unexpected '}')"
    )


@pytest.mark.parametrize(
    "used, problem",
    [
        # Ivan's Source cell is empty: his row can fix it
        ("lead.source", "template d0_thanks uses 'source', which is empty for this lead"),
        # Leads has no Company column: the template must change, no row can fix it
        ("lead.company", "template d0_thanks uses 'lead.company', which is not a field"),
        # a link put in the template but not in config.yaml
        ("links.pricing", "template d0_thanks uses links.pricing: add pricing under links: in config.yaml"),
    ],
)
def test_a_name_a_template_uses_and_the_email_lacks_says_where_to_fix_it(make_config, tmp_path, used, problem):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "email" / "en" / "d0_thanks.subject.txt").write_text(f"{{{{ {used} }}}}, thank you")
    with pytest.raises(RenderProblem) as raised:
        email_for(make_config(templates_dir=str(templates)), "d0_thanks")
    assert str(raised.value) == f"email d0 not sent: {problem}"


def test_an_email_whose_subject_comes_out_empty_waits(make_config, tmp_path):
    # the subject made to depend on Source, which Ivan's row leaves empty: it renders to nothing
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    subject = (
        "{% if lead.source is defined %}{{ lead.first_name }}, thank you for coming via {{ lead.source }}{% endif %}"
    )
    (templates / "email" / "en" / "d0_thanks.subject.txt").write_text(subject)
    with pytest.raises(RenderProblem) as raised:
        email_for(make_config(templates_dir=str(templates)), "d0_thanks")
    assert str(raised.value) == "email d0 not sent: the subject of d0_thanks comes out empty"


def test_a_template_saved_by_notepad_as_ansi_holds_back_only_its_own_step(make_config, tmp_path):
    # d2's text saved as Windows-1251 (Notepad's "ANSI"): Olga's d2 waits with a Problem, Ivan's d0 goes out
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    text = "{{ lead.first_name }}, вот видео о нашем сервисе.\n"
    (templates / "email" / "ru" / "d2_product_video.txt").write_bytes(text.encode("cp1251"))
    config = make_config("config.ru.yaml", templates_dir=str(templates), working_days=EVERY_DAY)
    sheet = XlsxSheet(config)
    sheet.init()
    ivan = lead_row(1, Name="Иван Петров", Manager="Анна Смирнова")
    olga = lead_row(2, Name="Ольга Иванова", Manager="Анна Смирнова", **{"Created at": datetime(2026, 10, 31, 10, 0)})
    sheet.put_rows("Leads", [ivan, olga])  # 2 November: Ivan's day 0, Olga's day 2
    run_once(config, sheet.backend(), Outbox(tmp_path / "outbox"), at("2026-11-02 10:05"))
    assert [p.name for p in (tmp_path / "outbox").glob("*.eml")] == ["L-1_d0_2026-11-02.eml"]
    assert sheet.rows("Leads")[1]["Проблема"] == (
        f"письмо d2 не отправлено: файл шаблона d2_product_video.txt в {templates / 'email' / 'ru'} сохранён не в "
        "UTF-8 (откройте его и сохраните в кодировке UTF-8)"
    )


def test_a_template_raising_a_python_error_holds_back_only_its_own_email(make_config, tmp_path):
    # whole roubles wanted, "{:,.2f}" became "{:,d}": the amount is a float, so Python's format raises a
    # ValueError (not a Jinja error). 2 November: Olga's invoice of 30 October owes invoice+3, Ivan his day 0
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    text = templates / "email" / "en" / "invoice_reminder.txt"
    text.write_text(text.read_text().replace("{:,.2f}", "{:,d}"))
    config = make_config(templates_dir=str(templates), working_days=EVERY_DAY)
    sheet = XlsxSheet(config)
    sheet.init()
    invoice = {"Stage": "invoice", "Invoice at": datetime(2026, 10, 30), "Invoice amount": 12500}
    olga = lead_row(2, Name="Olga Ivanova", **invoice, **{"Created at": datetime(2026, 10, 1, 10, 0)})
    sheet.put_rows("Leads", [lead_row(1, Name="Ivan Petrov"), olga])
    run_once(config, sheet.backend(), Outbox(tmp_path / "outbox"), at("2026-11-02 10:05"))
    assert [p.name for p in (tmp_path / "outbox").glob("*.eml")] == ["L-1_d0_2026-11-02.eml"]
    assert sheet.rows("Leads")[1]["Problem"] == (
        "email invoice+3@2026-10-30 not sent: template invoice_reminder is broken (invoice_reminder.txt, line 1: "
        "Unknown format code 'd' for object of type 'float')"
    )


def test_preview_prints_the_exact_email_and_can_write_it(tmp_path):
    folder = tmp_path / "demo"
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["demo", "--dir", str(folder), "--leads", "20", "--now", "2026-11-23T10:30"]).exit_code == 0
    )
    config = str(folder / "config.yaml")
    shown = runner.invoke(cli, ["preview", "L-00002", "d2", "--config", config])
    assert shown.exit_code == 0, shown.output
    assert "Subject: " in shown.output and "--- HTML part ---" in shown.output
    out = tmp_path / "d2.eml"
    assert runner.invoke(cli, ["preview", "L-00002", "d2", "--config", config, "--out", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"From: Northwind Freight")
    astray = tmp_path / "no-such-folder" / "d2.eml"
    missing = runner.invoke(cli, ["preview", "L-00002", "d2", "--config", config, "--out", str(astray)])
    assert (missing.exit_code, missing.output) == (1, f"error: cannot write {astray} (No such file or directory)\n")
    call = runner.invoke(cli, ["preview", "L-00002", "d4", "--config", config])
    assert call.exit_code == 1 and "d4 is a call, not an email" in call.output
    leads = openpyxl.load_workbook(folder / "touchsheet.xlsx")["Leads"]
    header = [c.value for c in leads[1]]
    row = next(r for r in leads.iter_rows(min_row=2, values_only=True) if r[header.index("ID")] == "L-00002")
    first_name = row[header.index("Name")].split()[0]
    # the script as the manager reads it on Due today: the lead's name filled in, no template tags
    assert f"Its script for L-00002: {first_name}, good afternoon! Honestly, why are you not" in call.output
    assert "{{" not in call.output
    unknown = runner.invoke(cli, ["preview", "L-99999", "--config", config])
    assert unknown.exit_code == 1 and "no lead L-99999" in unknown.output


def test_preview_of_a_lead_without_an_email_says_so(make_config, tmp_path):
    # Ivan is reached by phone only: his d2 email is never sent, so there is nothing to show
    config = make_config(working_days=EVERY_DAY)
    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1, Name="Ivan Petrov", Email=None)])
    shown = CliRunner().invoke(cli, ["preview", "L-1", "d2", "--config", str(tmp_path / "config.yaml")])
    assert (shown.exit_code, shown.output) == (
        1,
        "error: L-1 has no Email (or one that cannot be read: see `check`), so no email goes to it\n",
    )


def test_a_script_says_each_lead_its_own_words_and_a_plain_one_the_same_words_to_all(config):
    def script_for(renderer, text, name):
        occurrence = Occurrence(
            "d1", "sales", Channel.CALL, Kind.WARM, "why", at("2026-11-02 10:00"), at("2026-11-03 00:00"), script=text
        )
        return renderer.script(Task(occurrence, lead(name=name), "Anna Smith", False))

    renderer = Renderer(config)
    named, plain, broken = "Hello {{ lead.first_name }}!", " Ask about\r\nthe route. \n", "Hello {{ lead.first_name"
    assert [script_for(renderer, named, n) for n in ("Ivan Petrov", "Olga Ivanova")] == ["Hello Ivan!", "Hello Olga!"]
    assert [script_for(renderer, plain, n) for n in ("Ivan Petrov", "Olga Ivanova")] == ["Ask about\nthe route."] * 2
    assert [script_for(renderer, broken, n) for n in ("Ivan Petrov", "Olga Ivanova")] == [broken] * 2


def test_a_script_raising_a_python_error_reads_as_typed(config):
    # an amount (a float) plus words is a TypeError in Python: Due today shows the words as typed and the run
    # goes on (check lists the script)
    text = "Check they received the invoice for {{ lead.invoice_amount + ' rub' }}."
    occurrence = Occurrence(
        "invoice+2",
        "invoice",
        Channel.CALL,
        Kind.CLOSING,
        "why",
        at("2026-11-02 10:00"),
        at("2026-11-03 00:00"),
        script=text,
    )
    task = Task(occurrence, lead(invoice_amount=12500.0), "Anna Smith", False)
    assert Renderer(config).script(task) == text


def test_a_script_names_a_manager_missing_from_config_and_the_company_for_a_lead_with_none(config):
    # "{{ manager.name }} from {{ company.name }}": Dmitry is typed on the row but not under managers.
    def script_for(manager):
        occurrence = Occurrence(
            "d1",
            "sales",
            Channel.CALL,
            Kind.WARM,
            "why",
            at("2026-11-02 10:00"),
            at("2026-11-03 00:00"),
            script="This is {{ manager.name }} from {{ company.name }}.",
        )
        return Renderer(config).script(Task(occurrence, lead(manager=manager), manager or UNASSIGNED, False))

    assert script_for("Dmitry") == "This is Dmitry from Northwind Freight."
    assert script_for("") == "This is Northwind Freight from Northwind Freight."


def test_a_manager_given_no_signature_line_signs_with_their_name(make_config):
    # config.yaml gives Dmitry an email and a phone only: "Northwind Freight" alone would hide who wrote
    managers = {"Dmitry Orlov": {"email": "dmitry@northwind.example", "phone": "+7 495 000-00-09"}}
    email = email_for(make_config(managers=managers), "d0_thanks", manager="Dmitry Orlov")
    assert "\nDmitry Orlov, Northwind Freight\n+7 495 000-00-09\n" in email.text
    assert "<p>Dmitry Orlov, Northwind Freight<br>+7 495 000-00-09" in email.html


@pytest.mark.parametrize("source", ["config.yaml", "config.ru.yaml"])
def test_a_company_without_a_website_signs_off_with_no_empty_link_or_line(make_config, source):
    # company.website is optional: the signature is then the manager's name and phone, nothing after them
    config = make_config(source, company={"website": ""})
    email = email_for(config, "d0_thanks")
    assert 'href=""' not in email.html and re.search(r"<br>\+7 495 000-00-0\d</p>", email.html)
    assert re.search(r"\n\+7 495 000-00-0\d\n\n", email.text) and "\n\n\n" not in email.text


def test_a_header_the_email_package_refuses_is_the_leads_problem_not_the_end_of_the_run(config):
    # the ID goes into X-Touchsheet-Key; parse.py refuses one with a line break, and should a value get
    # past such a check, the email package's ValueError still stops only this lead's email
    with pytest.raises(RenderProblem, match="^email d0 not sent: a header of the email cannot be written"):
        email_for(config, "d0_thanks", id="L-1\x85A")
