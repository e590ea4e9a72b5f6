"""Exactly once when things go wrong: the server down, refusing, deferring, dropping the line, and
the worker killed at every point between `pending` and `sent`."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter

import pytest

from tests.builders import at
from tests.mail.conftest import lead_row
from tests.mail.server import free_port
from tests.sheets.fixtures import XlsxSheet
from touchsheet import config as config_module
from touchsheet.mail.smtp import Smtp
from touchsheet.sheets.xlsx import XlsxWorkbook
from touchsheet.sync import run_once

pytestmark = pytest.mark.server
LEADS = [lead_row(n) for n in range(1, 6)]
KEYS = {f"L-{n}/d0/2026-11-02" for n in range(1, 6)}


def statuses(sheet):
    return Counter((row["Key"], row["Status"]) for row in sheet.rows("Touch log"))


def test_a_server_that_stays_down_leaves_every_email_due_with_no_touch_log_row_and_says_so(
    make_mail_config, server, run
):
    # two runs while nothing answers on the port: no row for emails never sent (the Touch log would
    # gain 5 rows a run), the summary and the Status tab say mail is down and 5 wait; then all go once
    down = make_mail_config(mail={"smtp": {"port": free_port()}})
    sheet = XlsxSheet(down)
    sheet.init()
    sheet.put_rows("Leads", LEADS)
    for moment in ("2026-11-02 10:05", "2026-11-02 10:15"):
        summary = run(moment, config=down)
    why = f"cannot connect to 127.0.0.1:{down.mail.smtp.port} ("
    assert summary.lines()[0] == "emails sent: 0"
    assert summary.lines()[1].startswith(f"mail down, emails waiting for the next run: 5 ({why}")
    status = dict(sheet.grid("Status"))
    assert status["Result"].startswith(f"mail down: {why}") and status["Emails waiting"] == 5
    assert sheet.rows("Touch log") == []
    run("2026-11-02 10:25", config=sheet.config.model_copy(update={"mail": server_mail(sheet.config, server)}))
    assert sorted(server.recorder.keys()) == sorted(KEYS)
    assert statuses(sheet) == {(key, "sent"): 1 for key in KEYS}


def test_a_refused_login_is_said_on_the_status_tab_and_the_emails_wait(sheet, run, server, monkeypatch):
    # the app password was revoked: every run is refused, and the Status tab everyone sees says why
    monkeypatch.setenv("TOUCHSHEET_TEST_SMTP", "not the password")
    sheet.put_rows("Leads", LEADS[:2])
    summary = run("2026-11-02 10:05")
    refused = "the mail server refused the login for sales@northwind.example: 5.7.8 Authentication credentials invalid"
    assert summary.lines()[:2] == ["emails sent: 0", f"mail down, emails waiting for the next run: 2 ({refused})"]
    status = dict(sheet.grid("Status"))
    assert (status["Result"], status["Emails waiting"]) == (f"mail down: {refused}", 2)
    assert sheet.rows("Touch log") == []


def server_mail(config, server):
    return config.mail.model_copy(update={"smtp": config.mail.smtp.model_copy(update={"port": server.port})})


def test_a_refused_recipient_fails_for_good_and_the_rest_go(sheet, run, server):
    server.recorder.refuse.add("lead2@example.com")
    sheet.put_rows("Leads", LEADS)
    summary = run("2026-11-02 10:05")
    assert summary.lines()[0] == "emails sent: 4, failed: 1"
    failed = [r for r in sheet.rows("Touch log") if r["Status"] == "failed"]
    assert [(r["Lead ID"], r["Note"]) for r in failed] == [
        ("L-2", "refused: lead2@example.com: 550 5.1.1 No such user here")
    ]
    assert sheet.rows("Leads")[1]["Problem"] == (
        "the mail server refused the last email (refused: lead2@example.com: 550 5.1.1 No such user here): "
        "check the address"
    )
    run("2026-11-03 10:05")  # d2 is not due yet; nothing is retried
    assert sorted(server.recorder.keys()) == sorted(KEYS - {"L-2/d0/2026-11-02"})


@pytest.mark.parametrize(("column", "slip"), [("Step", None), ("Lead ID", "L-11")])
def test_a_sent_row_whose_step_or_lead_id_was_changed_is_not_sent_again(sheet, run, server, column, slip):
    # d0 went to L-1 on 2 November; then its Step was cleared, or its Lead ID mistyped. On 3 November
    # (d2 falls on the 4th) the calendar owes d0 again, under the same key, which the log still holds.
    sheet.put_rows("Leads", [lead_row(1)])
    run("2026-11-02 10:05")
    sheet.set("Touch log", 2, column, slip)
    summary = run("2026-11-03 10:05")
    assert server.recorder.keys() == ["L-1/d0/2026-11-02"]
    assert summary.lines()[0] == "emails sent: 0"
    assert sheet.rows("Leads")[0]["Problem"] == (
        "Touch log row 2 already holds this email (L-1/d0/2026-11-02) but its Step or Lead ID was changed: "
        "put them back (the email is not sent again)"
    )


@pytest.mark.parametrize(
    "answer",
    [
        "550 5.4.5 Daily user sending quota exceeded.",
        "530 5.7.0 Authentication required",
        "421 4.7.0 Try again later, closing connection",  # Gmail's throttle: it then hangs up
        "451 4.3.0 Mail server temporarily rejected message",
    ],
)
def test_a_refused_sender_leaves_the_rest_to_a_later_run_and_blames_no_lead(sheet, run, server, answer):
    # Two emails go, then the server refuses the account itself, for good or for now: the three others
    # were never handed over; they wait, each lead's address is fine, and the next day each goes once.
    # Nor is the server dialled and logged into again for each of them, as it has said no to us.
    server.recorder.sender_refused, server.recorder.sender_allowed = answer, 2
    sheet.put_rows("Leads", LEADS)
    summary = run("2026-11-02 10:05")
    assert summary.lines()[0] == "emails sent: 2, retry: 3"
    waiting = [r for r in sheet.rows("Touch log") if r["Status"] == "retry"]
    assert {r["Note"] for r in waiting} == {
        f"not sent: the mail server refused the sender sales@northwind.example: {answer}"
    }
    assert [r["Problem"] for r in sheet.rows("Leads")] == [None] * 5
    assert (server.recorder.connections, server.recorder.logins) == (1, 1)
    server.recorder.sender_refused = ""
    run("2026-11-03 10:05")  # d2 falls on the 4th
    assert sorted(server.recorder.keys()) == sorted(KEYS)


def test_a_control_character_in_the_servers_refusal_is_left_out_and_the_run_completes(sheet, run, server):
    # the answer goes into the Note and the lead's Problem: a workbook cannot hold \x01
    async def refuse(srv, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: unknown\x01user"

    server.recorder.handle_RCPT = refuse
    sheet.put_rows("Leads", [lead_row(1)])
    assert run("2026-11-02 10:05").lines()[0] == "emails sent: 0, failed: 1"
    assert [(r["Status"], r["Note"]) for r in sheet.rows("Touch log")] == [
        ("failed", "refused: lead1@example.com: 550 5.1.1 <lead1@example.com>: unknown user")
    ]


def test_a_server_closing_the_line_at_a_recipient_leaves_the_rest_to_the_next_run_without_dialling_again(
    sheet, run, server
):
    # "421 closing connection" at lead3's RCPT is about the server, not lead3: L-1 and L-2 went, L-3 to
    # L-5 wait (nothing of theirs was handed over), and no new connection and login per email left
    server.recorder.close_at.add("lead3@example.com")
    sheet.put_rows("Leads", LEADS)
    assert run("2026-11-02 10:05").lines()[0] == "emails sent: 2, retry: 3"
    assert (server.recorder.connections, server.recorder.logins) == (1, 1)
    notes = {r["Note"] for r in sheet.rows("Touch log") if r["Status"] == "retry"}
    assert notes == {"not sent: the mail server closed the line: 421 4.7.0 Try again later, closing connection"}


def test_a_deferred_email_goes_next_run(sheet, run, server):
    server.recorder.defer.add("lead3@example.com")
    sheet.put_rows("Leads", LEADS)
    assert run("2026-11-02 10:05").lines()[0] == "emails sent: 4, retry: 1"
    server.recorder.defer.clear()
    assert run("2026-11-02 10:15").lines()[0] == "emails sent: 1"
    assert sorted(server.recorder.keys()) == sorted(KEYS)
    assert statuses(sheet)[("L-3/d0/2026-11-02", "retry")] == 1
    assert statuses(sheet)[("L-3/d0/2026-11-02", "sent")] == 1


def test_a_line_dropped_after_data_is_unconfirmed_and_never_resent_by_itself(sheet, run, server):
    server.recorder.drop_after_data.add("lead2@example.com")
    sheet.put_rows("Leads", LEADS)
    summary = run("2026-11-02 10:05")
    assert summary.lines()[0] == "emails sent: 4, unconfirmed: 1"
    assert sorted(server.recorder.keys()) == sorted(KEYS)  # the server did take it
    assert "email unconfirmed" in sheet.rows("Leads")[1]["Flags"]
    again = run("2026-11-02 10:30")
    assert "unconfirmed emails: 1 (a run stopped while sending: check them in the Touch log" in "\n".join(again.lines())
    assert len(server.recorder.received) == 5
    # A person looks, decides it did not arrive, and asks for it again.
    row = next(i for i, r in enumerate(sheet.rows("Touch log"), start=2) if r["Status"] == "unconfirmed")
    sheet.set("Touch log", row, "Status", "retry")
    run("2026-11-02 10:45")
    assert Counter(server.recorder.keys())["L-2/d0/2026-11-02"] == 2  # sent again because a person said so


def test_two_runs_at_once_cannot_both_send(sheet, server):
    """Both runs start together on one workbook: the lock lets one through; the other stops at once."""
    from touchsheet.lock import Busy, run_lock

    sheet.put_rows("Leads", LEADS)
    config = sheet.config
    with run_lock(config), pytest.raises(Busy), run_lock(config):
        pass
    _in_child(sheet.config, "2026-11-02 10:05", die=None)
    assert sorted(server.recorder.keys()) == sorted(KEYS)


# Killing the worker (os._exit: no cleanup, like kill -9) at each point between pending and sent.
POINTS = ["before-pending", "after-pending", "after-1", "after-3", "after-5", "before-final-write"]


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_any_point_no_email_is_sent_twice_or_lost(sheet, server, point):
    sheet.put_rows("Leads", LEADS)
    exitcode = _in_child(sheet.config, "2026-11-02 10:05", die=point)
    assert exitcode == 9
    before = list(server.recorder.keys())
    summary = run_once(
        sheet.config, sheet.backend(), Smtp(sheet.config.mail.smtp, sheet.config.mail.sender), at("2026-11-02 10:15")
    )
    received = Counter(server.recorder.keys())
    assert all(n == 1 for n in received.values()), received  # zero duplicates
    log = sheet.rows("Touch log")
    unconfirmed = {r["Key"] for r in log if r["Status"] == "unconfirmed"}
    assert "pending" not in {r["Status"] for r in log}
    assert set(received) | unconfirmed == KEYS  # zero silent losses: sent, or visible for a person
    expected_unconfirmed = {"after-1": 1, "after-3": 1, "after-5": 1}.get(point, 0)
    assert len(unconfirmed) == expected_unconfirmed, log
    assert summary.unconfirmed == expected_unconfirmed
    if point.startswith("after-") and point != "after-pending":
        k = int(point.split("-")[1])
        assert len(before) == k and unconfirmed == {before[-1]}  # the one in the server's hands at the kill


def test_a_second_copy_of_a_pending_row_never_handed_over_is_sent_once(sheet, server):
    # A run wrote its pending rows and died before handing any over; one row was written twice (an
    # append Google served late). The next run sends each email once, that one included.
    sheet.put_rows("Leads", LEADS)
    assert _in_child(sheet.config, "2026-11-02 10:05", die="after-pending") == 9
    copy = sheet.rows("Touch log")[0]
    sheet.put_rows("Touch log", [copy])
    run_once(
        sheet.config, sheet.backend(), Smtp(sheet.config.mail.smtp, sheet.config.mail.sender), at("2026-11-02 10:15")
    )
    assert Counter(server.recorder.keys()) == dict.fromkeys(KEYS, 1)
    assert statuses(sheet)[copy["Key"], "sent"] == 1


# A crash, a power cut or a full disk can leave the journal's last line cut short, with no line end.
TORN = '{"run": "0123", "event": "hand'


def test_a_journal_line_cut_short_by_a_crash_still_lets_the_next_run_send_what_was_never_handed_over(sheet, server):
    # After the torn line, a run writes its 5 emails pending and dies before handing any over: the
    # journal must still hold that run's claim, so the next run knows none went and sends each once.
    sheet.config.state_file("journal").write_text(TORN, encoding="utf-8")
    sheet.put_rows("Leads", LEADS)
    assert _in_child(sheet.config, "2026-11-02 10:05", die="after-pending") == 9
    run_once(
        sheet.config, sheet.backend(), Smtp(sheet.config.mail.smtp, sheet.config.mail.sender), at("2026-11-02 10:15")
    )
    assert Counter(server.recorder.keys()) == dict.fromkeys(KEYS, 1)
    # each pending row says `retry` (never handed over), not `unconfirmed` for a person; its email went on a new row
    assert Counter(r["Status"] for r in sheet.rows("Touch log")) == {"retry": 5, "sent": 5}


def test_a_journal_line_cut_short_by_a_crash_still_stops_an_email_going_twice(sheet, run, server):
    # L-1's welcome email goes after the torn line; then its Touch log row loses its date. The journal
    # must still know it went, or it goes again.
    sheet.config.state_file("journal").write_text(TORN, encoding="utf-8")
    sheet.put_rows("Leads", [lead_row(1)])
    assert run("2026-11-02 10:05").lines()[0] == "emails sent: 1"
    sheet.set("Touch log", 2, "At", "this morning")
    run("2026-11-02 10:15")
    assert server.recorder.keys() == ["L-1/d0/2026-11-02"]


def _in_child(config, when, die):
    """Run one sync in a forked process that dies (os._exit(9)) at `die`; return its exit code."""
    process = multiprocessing.get_context("fork").Process(target=_child, args=(config.base_dir, when, die))
    process.start()
    process.join(60)
    return process.exitcode


def _child(base_dir, when, die):
    config = config_module.load(base_dir / "config.yaml")

    class DyingWorkbook(XlsxWorkbook):
        writes = 0  # a run's writes: 1 claims the sheet's lease, 2 records the emails pending, 3 is the final one

        def write(self, changes):
            DyingWorkbook.writes += 1
            if (die, self.writes) in (("before-pending", 2), ("before-final-write", 3)):
                os._exit(9)
            written = super().write(changes)
            if (die, self.writes) == ("after-pending", 2):
                os._exit(9)  # the mail server is connected, nothing handed over yet
            return written

    class DyingSmtp(Smtp):
        sent = 0

        def send(self, message):
            super().send(message)
            DyingSmtp.sent += 1
            if die == f"after-{DyingSmtp.sent}":
                os._exit(9)  # the server has it; the journal does not know yet

    run_once(
        config,
        DyingWorkbook(config.workbook_path, config.locale),
        DyingSmtp(config.mail.smtp, config.mail.sender),
        at(when),
    )
    os._exit(0)


@pytest.fixture
def russian(make_mail_config, server):
    """A Russian team's sheet (config.ru.yaml: tabs, columns and words in Russian) on the loopback server."""
    sheet = XlsxSheet(make_mail_config(source="config.ru.yaml"))
    sheet.init()
    sheet.put_rows("Leads", [lead_row(n, Manager="Анна Смирнова") for n in range(1, 6)])
    return sheet


def run_russian(sheet, when):
    return run_once(sheet.config, sheet.backend(), Smtp(sheet.config.mail.smtp, sheet.config.mail.sender), at(when))


def test_a_russian_sheet_says_why_an_email_was_refused_deferred_or_held_back_in_russian(russian, server):
    # lead2's address does not exist, lead3's server greylists, at lead4 the server says Gmail's "421 try
    # again later" and hangs up: L-1 goes, L-2 fails, L-3 to L-5 wait. The notes are the team's words; the
    # server's answers are quoted as it gave them.
    server.recorder.refuse.add("lead2@example.com")
    server.recorder.defer.add("lead3@example.com")
    server.recorder.close_at.add("lead4@example.com")
    assert run_russian(russian, "2026-11-02 10:05").lines()[0] == "emails sent: 1, failed: 1, retry: 3"
    deferred = (
        "не отправлено: почтовый сервер отложил письмо для lead3@example.com: 451 4.7.1 Greylisted, try again later"
    )
    closed = "не отправлено: почтовый сервер закрыл соединение: 421 4.7.0 Try again later, closing connection"
    assert [(r["ID лида"], r["Статус"], r["Заметка"]) for r in russian.rows("Журнал касаний")] == [
        ("L-1", "отправлено", "Lead1, благодарим за обращение"),
        ("L-2", "ошибка", "отклонено: lead2@example.com: 550 5.1.1 No such user here"),
        ("L-3", "повторить", deferred),
        ("L-4", "повторить", closed),
        ("L-5", "повторить", closed),
    ]
    assert russian.rows("Лиды")[1]["Проблема"] == (
        "почтовый сервер отклонил последнее письмо (отклонено: lead2@example.com: 550 5.1.1 No such user here): "
        "проверьте адрес"
    )


def test_a_russian_sheet_says_in_russian_that_the_mail_server_cannot_be_reached(make_mail_config):
    down = XlsxSheet(make_mail_config(source="config.ru.yaml", mail={"smtp": {"port": free_port()}}))
    down.init()
    down.put_rows("Leads", [lead_row(1, Manager="Анна Смирнова")])
    run_russian(down, "2026-11-02 10:05")
    # the reason after the address is the operating system's own words ("Connection refused")
    assert dict(down.grid("Статус"))["Результат"].startswith(
        f"почта не работает: не удалось подключиться к 127.0.0.1:{down.config.mail.smtp.port} ("
    )
    assert down.rows("Журнал касаний") == []


def test_a_refused_emails_lost_log_row_comes_back_from_the_journal_in_russian(russian, server):
    # The journal keeps the note as the sheet read it: when L-2's row is lost (its date typed over), the
    # next run writes it back, refused, saying so in Russian (one row: an email handed over again would
    # add a row of its own).
    server.recorder.refuse.add("lead2@example.com")
    run_russian(russian, "2026-11-02 10:05")
    russian.set("Touch log", 3, "At", "утром")
    run_russian(russian, "2026-11-02 10:15")
    restored = [r for r in russian.rows("Журнал касаний") if r["ID лида"] == "L-2" and r["Когда"] != "утром"]
    assert [(r["Статус"], r["Заметка"]) for r in restored] == [
        (
            "ошибка",
            "отклонено: lead2@example.com: 550 5.1.1 No such user here "
            "(восстановлено из журнала этого компьютера: повторно не отправлено)",
        )
    ]
