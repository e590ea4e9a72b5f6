"""The command line: help for every command, the demo, check, sync, clear errors and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import at
from tests.conftest import ROOT
from touchsheet.checks import template_problems
from touchsheet.cli import cli

CONFIG = ROOT / "config.yaml"
TEMPLATES = ROOT / "templates"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example: python -m touchsheet" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_takes_verbose(command):
    assert "-v, --verbose" in run(command, "--help").output


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "touchsheet", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in done.stdout and "sync" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "locale, tabs",
    [
        ("en", ["Leads", "Touch log", "Due today", "KPI", "Costs", "Status"]),
        ("ru", ["Лиды", "Журнал касаний", "Задачи на сегодня", "KPI", "Расходы", "Статус"]),
    ],
)
def test_demo_builds_a_filled_workbook_and_a_second_sync_changes_nothing(tmp_path, locale, tabs):
    folder = tmp_path / "demo"
    result = run("demo", "--dir", str(folder), "--locale", locale, "--now", "2026-11-23T10:30")
    assert result.exit_code == 0, result.output
    workbook = folder / "touchsheet.xlsx"  # as README says, in either language
    assert "emails sent:" in result.output
    # the tabs it names are the workbook's own, in its language
    assert f"Open {workbook} in LibreOffice or Excel: tabs {tabs[0]}, {tabs[2]}, {tabs[1]}, KPI." in result.output
    assert f'on a "{tabs[2]}" row' in result.output
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == tabs
    for tab in tabs:
        assert book[tab].max_row > 5, tab
    assert len(list((folder / "outbox").glob("*.eml"))) > 10
    before = _cells(workbook, tabs[:-1])
    again = run("sync", "--config", str(folder / "config.yaml"), "--now", "2026-11-23T10:30")
    assert again.exit_code == 0
    assert "emails sent: 0" in again.output and "workbook unchanged" in again.output
    assert _cells(workbook, tabs[:-1]) == before  # only Status says a run happened


@pytest.mark.slow
def test_a_demo_built_after_hours_says_why_no_email_went_out_and_when_they_would(tmp_path):
    folder = tmp_path / "demo"
    evening = run("demo", "--dir", str(folder), "--leads", "40", "--now", "2026-11-24T23:00")  # Tuesday, Moscow
    assert "emails sent: 0" in evening.output
    assert "emails wait for working hours (09:00-18:00 on working days, Europe/Moscow)" in evening.output
    suggested = f"python -m touchsheet demo --dir {folder} --locale en --leads 40 --now 2026-11-25T09:00"
    assert suggested in evening.output  # the same demo at the next opening: Wednesday 9:00
    morning = run(*suggested.split()[3:])
    sent = int(morning.output.split("emails sent: ")[1].split()[0])
    assert sent > 0 and len(list((folder / "outbox").glob("*.eml"))) == sent
    assert "The emails it sent are .eml files" in morning.output


@pytest.mark.slow
def test_a_demo_built_again_at_the_same_moment_sends_its_emails_again(tmp_path):
    """A new base in the same folder: the journal of the old one's emails goes with it."""
    folder = tmp_path / "demo"
    command = ("demo", "--dir", str(folder), "--leads", "30", "--now", "2026-11-25T09:00")
    first = run(*command).output.split("emails sent: ")[1].split()[0]
    again = run(*command).output.split("emails sent: ")[1].split()[0]
    assert int(first) > 0 and again == first


def test_the_demo_never_replaces_a_teams_own_config_and_workbook(tmp_path):
    # README, "Your own sheet": the team's config.yaml and workbook in ~/sales; then `demo --dir ~/sales` by mistake
    shutil.copy(CONFIG, tmp_path / "config.yaml")
    run("init", "--config", str(tmp_path / "config.yaml"))
    before = [(tmp_path / name).read_bytes() for name in ("config.yaml", "touchsheet.xlsx")]
    result = run("demo", "--dir", str(tmp_path), "--leads", "20", "--now", "2026-11-23T10:30")
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path} holds config.yaml, touchsheet.xlsx, which the demo did not make and never replaces. "
        "Fix: pass --dir with a new folder\n"
    )
    assert [(tmp_path / name).read_bytes() for name in ("config.yaml", "touchsheet.xlsx")] == before


def test_a_demo_asked_again_with_a_date_typed_the_russian_way_leaves_the_one_built_before(tmp_path):
    # refused (exit 2) for its --now, so nothing is cleared: the workbook a person ticked tasks in stays
    folder = tmp_path / "demo"
    assert run("demo", "--dir", str(folder), "--leads", "20", "--now", "2026-11-23T10:30").exit_code == 0
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    refused = CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--leads", "20", "--now", "25.11.2026"])
    assert refused.exit_code == 2 and "'25.11.2026' is not an ISO date-time like 2026-11-25T10:00" in refused.output
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before
    assert len(list((folder / "outbox").glob("*.eml"))) > 0


def test_a_demo_into_a_file_or_with_too_few_leads_to_show_problems_is_one_message(tmp_path):
    (tmp_path / "demo").write_text("notes")
    into_a_file = run("demo", "--dir", str(tmp_path / "demo"), "--leads", "20")
    assert into_a_file.exit_code == 1
    assert (
        into_a_file.output
        == f"error: cannot make the folder {tmp_path / 'demo'} (File exists). Fix: pass --dir with a new folder\n"
    )
    few = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path / "small"), "--leads", "5"])
    assert few.exit_code == 2 and "Invalid value for '--leads': 5 is not in the range x>=16." in few.output


def _cells(path, tabs):
    book = openpyxl.load_workbook(path)
    return {tab: list(book[tab].iter_rows(values_only=True)) for tab in tabs}


def test_check_lists_every_problem_and_exits_non_zero(tmp_path):
    folder = tmp_path / "demo"
    run("demo", "--dir", str(folder), "--leads", "30", "--now", "2026-11-23T10:30")
    result = run("check", "--config", str(folder / "config.yaml"), "--now", "2026-11-23T10:30")
    assert result.exit_code == 1
    # The demo spoils four rows on purpose (and leaves one without an ID, which a sync fills): all four, and
    # the touches logged by hand for the two leads whose IDs it took away (L-00013 made a copy of L-00012,
    # L-00016 cleared), nothing else.
    assert result.stdout.splitlines() == [
        "Leads row 5: Created at: '31.02.2026' is not a date: type it like 25.11.2026 14:30 or 2026-11-25 14:30",
        "Leads row 7: Stage: 'thinking' is not one of: new, contacted, meeting, proposal, invoice, won, lost",
        "Leads row 14: ID L-00012 is also on row 13: give this row its own ID (or clear the cell and one will be "
        "assigned)",
        "Leads row 10 (L-00009): Email: 'liam.murphy9@' is not a valid email address; no emails go to this lead "
        "until it is fixed",
        "Touch log row 33 (L-00013), row 43 (L-00013), row 197 (L-00016): the Lead ID is on no row of Leads, so "
        "the touch logged there counts for no lead",
    ]
    assert result.stderr == "5 problem(s)\n"


def test_check_on_a_russian_sheet_lists_its_problems_in_russian(tmp_path):
    # The Russian demo spoils the same rows as the English one: the operator of a Russian team reads
    # each problem as the sheet's Problem cells say it, with the tab and row in Russian too.
    folder = tmp_path / "demo"
    run("demo", "--dir", str(folder), "--locale", "ru", "--leads", "30", "--now", "2026-11-23T10:30")
    result = run("check", "--config", str(folder / "config.yaml"), "--now", "2026-11-23T10:30")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Лиды, строка 5: Дата заявки: «31.02.2026» — не дата: введите как 25.11.2026 14:30 или 2026-11-25 14:30",
        "Лиды, строка 7: Этап: «думает» — нет такого значения, можно: новый, в работе, встреча, КП, счёт, клиент, "
        "отказ",
        "Лиды, строка 14: ID L-00012 уже есть в строке 13: дайте этой строке свой ID (или очистите ячейку: он будет "
        "присвоен)",
        "Лиды, строка 10 (L-00009): Email: «andrey.sokolov9@» — неверный адрес почты; письма этому клиенту не "
        "уходят, пока адрес не исправлен",
        "Журнал касаний, строка 3 (L-00013), строка 10 (L-00013), строка 124 (L-00016): такого «ID лида» нет ни в "
        "одной строке «Лидов», и касание, записанное там, не засчитано ни одному лиду",
    ]


def test_check_passes_on_a_clean_workbook(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    shutil.copy(CONFIG, folder / "config.yaml")
    config = folder / "config.yaml"
    config.write_text(config.read_text().replace("templates_dir: templates", f"templates_dir: {TEMPLATES}"))
    assert run("init", "--config", str(config)).exit_code == 0
    result = run("check", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "all good: config, templates and workbook"


def test_check_finds_a_broken_template(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "email" / "en" / "d2_product_video.txt").write_text("Hi {{ lead.frist_name }}")
    (templates / "email" / "en" / "d3_company_video.html").unlink()
    (templates / "email" / "en" / "d10_article.txt").write_bytes("Grüße, {{ lead.first_name }}".encode("cp1252"))
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.read_text().replace("templates_dir: templates", f"templates_dir: {templates}"))
    run("init", "--config", str(config))
    result = run("check", "--config", str(config))
    assert result.exit_code == 1
    assert (
        "template d2_product_video: template d2_product_video uses 'lead.frist_name', which is not a field"
        in result.output
    )
    assert (
        f"template d3_company_video: template file d3_company_video.html is missing from {templates / 'email' / 'en'}\n"
        in result.output
    )
    assert (
        f"template d10_article: template file d10_article.txt in {templates / 'email' / 'en'} is not saved as UTF-8 "
        "(open it and save it as UTF-8)\n" in result.output
    )


def test_check_finds_a_script_that_misspells_a_field(make_config):
    # Due today would read ", you asked us to call you back": the sample lead has a first_name, not a frist_name
    config = make_config(callbacks={"script": "{{ lead.frist_name }}, you asked us to call you back."})
    assert template_problems(config, at("2026-11-25 10:00")) == [
        "script '{{ lead.frist_name }}, you asked us to c...': uses 'frist_name', which is not a field"
    ]


def test_check_finds_a_script_that_adds_words_to_an_amount(make_config):
    # the sample lead's amount is 1000.0, a float: float + str is Python's TypeError, which check lists
    config = make_config(callbacks={"script": "Remind them of {{ lead.invoice_amount + ' rub' }}."})
    assert template_problems(config, at("2026-11-25 10:00")) == [
        "script 'Remind them of {{ lead.invoice_amount + ...': unsupported operand type(s) for +: 'float' and 'str'"
    ]


def test_check_finds_an_oauth2_file_that_is_not_there(make_config, tmp_path):
    # a run would meet it only once emails are due, with them logged as retry; check says so at once
    make_config(mail={"transport": "smtp", "smtp": {"oauth2_file": "gmail-oauth2.json"}})
    assert run("init", "--config", str(tmp_path / "config.yaml")).exit_code == 0
    result = run("check", "--config", str(tmp_path / "config.yaml"))
    assert result.exit_code == 1
    missing = tmp_path / "gmail-oauth2.json"  # relative to config.yaml's folder
    assert result.stdout.splitlines() == [f"cannot read the OAuth2 file {missing} (No such file or directory)"]


def test_a_config_copied_without_its_templates_says_which_folder_it_searched(tmp_path):
    shutil.copy(CONFIG, tmp_path / "config.yaml")
    run("init", "--config", str(tmp_path / "config.yaml"))
    result = run("check", "--config", str(tmp_path / "config.yaml"))
    assert result.exit_code == 1
    folder = tmp_path / "templates" / "email" / "en"
    assert (
        f"template d0_thanks: template file d0_thanks.subject.txt is missing from {folder}"
        " (no such folder: set templates_dir in config.yaml)\n" in result.output
    )


def test_the_readme_steps_for_your_own_sheet_work_as_written(tmp_path):
    # README, "Your own sheet": copy config.yaml and templates/ into a folder of your own, init, check.
    shutil.copy(CONFIG, tmp_path / "config.yaml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    assert run("init", "--config", str(tmp_path / "config.yaml")).exit_code == 0
    assert (tmp_path / "touchsheet.xlsx").exists()
    result = run("check", "--config", str(tmp_path / "config.yaml"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "all good: config, templates and workbook"


@pytest.mark.parametrize("name", ["sales.ods", "sales"])
def test_init_refuses_a_workbook_name_no_run_could_open(tmp_path, name):
    # a LibreOffice user's own format, or no extension: init would make it, then every sync refuse it
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace("path: touchsheet.xlsx ", f"path: {name} "))
    result = CliRunner().invoke(cli, ["init", "--config", str(config)])
    assert result.exit_code == 1
    assert (
        f"  - workbook.path: name an .xlsx file: touchsheet reads no other kind (in LibreOffice: File > Save As > "
        f"Excel 2007-365) (got '{name}')\n" in result.output
    )
    assert not (tmp_path / name).exists()


def test_a_bad_config_is_one_message_and_exit_1(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("timezone: Europe/Moscow\nworkng_days: [mon]\n")
    result = CliRunner().invoke(cli, ["sync", "--config", str(config)])
    assert result.exit_code == 1
    assert "workng_days: unknown key (did you mean `working_days`?)" in result.output


def test_sync_without_a_workbook_says_to_run_init(tmp_path):
    config = tmp_path / "config.yaml"
    shutil.copy(CONFIG, config)
    result = CliRunner().invoke(cli, ["sync", "--config", str(config)])
    assert result.exit_code == 1
    assert "does not exist. Fix: run `python -m touchsheet init" in result.output


def test_a_fixable_error_is_one_message(tmp_path):
    config = tmp_path / "config.yaml"
    shutil.copy(CONFIG, config)
    done = subprocess.run(
        [sys.executable, "-m", "touchsheet", "sync", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"error: {tmp_path / 'touchsheet.xlsx'} does not exist. Fix: run `python -m touchsheet init --config "
        "<config.yaml>`\n"
    )


def test_a_bad_now_is_refused(tmp_path):
    config = tmp_path / "config.yaml"
    shutil.copy(CONFIG, config)
    result = CliRunner().invoke(cli, ["sync", "--config", str(config), "--now", "yesterday"])
    assert result.exit_code == 2
    assert "is not an ISO date-time" in result.output
