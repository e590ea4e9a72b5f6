"""Email over a real SMTP server on loopback: personal, both parts, safe headers, caps, manners."""

from __future__ import annotations

import io
import json

import pytest

from tests.mail.conftest import lead_row
from tests.mail.server import PASSWORD, USER
from tests.mail.token_endpoint import TokenEndpoint
from touchsheet.cli import open_transport

pytestmark = pytest.mark.server


def by_recipient(server):
    return {r.recipients[0]: r for r in server.recorder.received}


def test_each_lead_gets_a_personal_email_with_a_real_text_part(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1, Name="Ivan Petrov"), lead_row(2, Name="Olga Smirnova", Manager="Boris Clark")])
    summary = run("2026-11-02 10:05")
    assert summary.lines()[0] == "emails sent: 2"
    got = by_recipient(server)
    assert set(got) == {"lead1@example.com", "lead2@example.com"}
    ivan, olga = got["lead1@example.com"].message, got["lead2@example.com"].message
    assert (ivan["To"], ivan["Subject"]) == ("Ivan Petrov <lead1@example.com>", "Ivan, thank you for your request")
    assert (olga["Subject"], olga["Reply-To"]) == (
        "Olga, thank you for your request",
        "Boris Clark <boris@northwind.example>",
    )
    assert ivan["From"] == "Northwind Freight <sales@northwind.example>"
    assert got["lead1@example.com"].sender == USER
    text = ivan.get_body(("plain",)).get_content().replace("\r\n", "\n")  # lines end in CRLF on the wire
    html = ivan.get_body(("html",)).get_content()
    assert text.startswith("Ivan, thank you for contacting Northwind Freight!")
    assert "<" not in text and "\nHere is our site: https://northwind.example\n" in text
    assert "Anna Smith, account manager, Northwind Freight" in text
    assert '<a href="https://northwind.example">our site</a>' in html and "<p>Ivan, thank you" in html
    assert ivan["Message-ID"] != olga["Message-ID"]  # yagmail would repeat it for one subject
    assert ivan["List-Unsubscribe"].strip() == (
        "<mailto:unsubscribe@northwind.example?subject=unsubscribe%20L-1>, "
        "<https://northwind.example/unsubscribe?lead=L-1>"
    )
    assert ivan["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_long_one_click_unsubscribe_link_reaches_the_lead_as_a_link(make_mail_config, server, run):
    # A signed link is long. Folded at 78 characters the email package would write it =?utf-8?q?...?=,
    # where Gmail finds no link for its Unsubscribe button (RFC 2369; one-click, RFC 8058).
    url = "https://mail.northwind.example/preferences/unsubscribe/one-click?lead={lead_id}&list=touches&v=2"
    config = make_mail_config(mail={"unsubscribe_url": url})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1)])
    run("2026-11-02 10:05", config=config)
    (received,) = server.recorder.received
    assert (
        b"\r\nList-Unsubscribe: <mailto:unsubscribe@northwind.example?subject=unsubscribe%20L-1>, "
        b"<https://mail.northwind.example/preferences/unsubscribe/one-click?lead=L-1&list=touches&v=2>\r\n"
    ) in received.data


def test_one_connection_and_one_login_per_run(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(n) for n in range(1, 8)])
    run("2026-11-02 10:05")
    assert len(server.recorder.received) == 7
    assert (server.recorder.connections, server.recorder.logins) == (1, 1)


@pytest.mark.slow
def test_a_thousand_due_emails_go_through_one_connection(make_mail_config, server, run):
    config = make_mail_config(mail={"daily_cap": 1000, "per_run_cap": 1000})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(n) for n in range(1, 1001)])  # each owes its day-0 email now
    assert run("2026-11-02 10:05", config=config).lines()[0] == "emails sent: 1000"
    assert len({r.recipients[0] for r in server.recorder.received}) == 1000
    assert (server.recorder.connections, server.recorder.logins) == (1, 1)


def test_a_run_with_nothing_to_send_does_not_connect(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1)])
    run("2026-11-02 10:05")
    run("2026-11-02 10:15")
    assert server.recorder.connections == 1


def test_per_run_cap_sends_the_rest_next_run_in_due_order(make_mail_config, server, run):
    config = make_mail_config(mail={"per_run_cap": 2})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    # Five leads whose d0 fell due at different times this morning.
    sheet.put_rows("Leads", [lead_row(n, **{"Created at": f"02.11.2026 09:0{n}"}) for n in (5, 3, 1, 4, 2)])
    first = run("2026-11-02 10:00", config=config)
    assert "emails waiting for a later run (daily or per-run cap): 3" in first.lines()
    assert [r.recipients[0] for r in server.recorder.received] == ["lead1@example.com", "lead2@example.com"]
    run("2026-11-02 10:10", config=config)
    run("2026-11-02 10:20", config=config)
    assert [r.recipients[0] for r in server.recorder.received] == [f"lead{n}@example.com" for n in (1, 2, 3, 4, 5)]


def test_emails_that_cannot_be_written_take_no_room_under_the_cap(make_mail_config, server, run):
    # Cap 2. L-1 and L-2 (no Name: their d0 template needs a first name) fell due first; L-3 and L-4
    # can be written. The two that can go go now, and nothing waits: the two others wait for a Name.
    config = make_mail_config(mail={"per_run_cap": 2})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    nameless = [lead_row(n, Name="", **{"Created at": f"02.11.2026 09:0{n}"}) for n in (1, 2)]
    sheet.put_rows("Leads", nameless + [lead_row(n, **{"Created at": f"02.11.2026 09:0{n}"}) for n in (3, 4)])
    summary = run("2026-11-02 10:00", config=config)
    assert [r.recipients[0] for r in server.recorder.received] == ["lead3@example.com", "lead4@example.com"]
    assert not any("waiting" in line for line in summary.lines())
    assert [bool(r["Problem"]) for r in sheet.rows("Leads")] == [True, True, False, False]


def test_daily_cap_counts_a_rolling_day(make_mail_config, server, run):
    config = make_mail_config(mail={"daily_cap": 3})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(n, **{"Created at": f"02.11.2026 09:0{n}"}) for n in range(1, 6)])
    run("2026-11-02 10:00", config=config)
    run("2026-11-02 15:00", config=config)
    assert len(server.recorder.received) == 3
    run("2026-11-03 09:59", config=config)  # still within 24 hours of the first three
    assert len(server.recorder.received) == 3
    run("2026-11-03 10:01", config=config)
    assert len(server.recorder.received) == 5


def test_gmail_presets():
    from touchsheet.config import MailConfig

    assert MailConfig(sender="a@b.example").cap_per_day == 500
    assert MailConfig(sender="a@b.example", daily_cap="workspace").cap_per_day == 2000


def test_quiet_hours_in_the_leads_own_time_zone(sheet, run, server):
    # 10:00 in Moscow is 17:00 in Vladivostok; 12:00 in Moscow is 19:00 there: too late to write.
    sheet.put_rows("Leads", [lead_row(1, **{"Time zone": "Asia/Vladivostok"}), lead_row(2)])
    run("2026-11-02 12:00")
    assert [r.recipients for r in server.recorder.received] == [["lead2@example.com"]]
    run("2026-11-03 02:30")  # 09:30 in Vladivostok, a night in Moscow
    assert [r.recipients for r in server.recorder.received][-1] == ["lead1@example.com"]


def test_nothing_before_opening_or_on_a_day_off(make_mail_config, server, run):
    config = make_mail_config(working_days=["mon", "tue", "wed", "thu", "fri"])
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1, **{"Created at": "06.11.2026 20:00"})])  # Friday night
    for moment in ("2026-11-06 20:05", "2026-11-07 12:00", "2026-11-08 12:00", "2026-11-09 08:59"):
        run(moment, config=config)
    assert server.recorder.received == []
    run("2026-11-09 09:00", config=config)
    assert len(server.recorder.received) == 1


def test_opt_out_gets_nothing(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1, **{"Opt out": "yes"}), lead_row(2, **{"Opt out": "да"})])
    run("2026-11-02 10:05")
    assert server.recorder.connections == 0


@pytest.mark.parametrize("name", ["", "ООО «Ромашка»"])
def test_a_lead_with_no_persons_name_is_not_greeted_and_the_sheet_asks_for_one(sheet, run, server, name):
    # d0 opens with the first name. An empty Name has none, nor has a company's (ООО: a legal form, no
    # person): "ООО, thank you for your request" greets nobody, so the email waits for a name.
    sheet.put_rows("Leads", [lead_row(1, Name=name), lead_row(2)])
    summary = run("2026-11-02 10:05")
    assert [r.recipients for r in server.recorder.received] == [["lead2@example.com"]]
    assert sheet.rows("Leads")[0]["Problem"] == (
        "email d0 not sent: template d0_thanks greets the lead by name, and Name holds no person's name: "
        "type the contact person's name"
    )
    assert any("L-1: email d0 not sent" in line for line in summary.lines())


def test_line_breaks_in_a_name_cannot_add_a_header_or_a_recipient(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1, Name="Ivan\r\nBcc: victim@evil.example\r\nX-Evil: 1")])
    run("2026-11-02 10:05")
    (received,) = server.recorder.received
    assert received.recipients == ["lead1@example.com"]
    message = received.message
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["To"] == '"Ivan Bcc: victim@evil.example X-Evil: 1" <lead1@example.com>'  # a quoted name


@pytest.mark.parametrize("name", ["Иван Петров, Acme, Inc.", "Иван Петров <ivan@mail.example>"])
def test_a_name_with_commas_or_an_address_in_it_is_only_the_name_of_the_one_recipient(sheet, run, server, name):
    # a person and their firm, or a name pasted from a mail program: the email goes to lead1@example.com,
    # and its To says just that, under the name as typed (not three recipients, not ivan@mail.example)
    sheet.put_rows("Leads", [lead_row(1, Name=name)])
    run("2026-11-02 10:05")
    (received,) = server.recorder.received
    to = received.message["To"]
    assert [(a.display_name, a.addr_spec) for a in to.addresses] == [(name, "lead1@example.com")]
    assert not to.defects


def test_an_address_with_a_header_in_it_is_a_problem_not_a_send(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1, Email="lead1@example.com\nBcc: victim@evil.example"), lead_row(2)])
    run("2026-11-02 10:05")
    assert [r.recipients for r in server.recorder.received] == [["lead2@example.com"]]
    assert "is not a valid email address" in sheet.rows("Leads")[0]["Problem"]


def test_an_id_with_a_next_line_character_is_its_leads_problem_and_the_others_get_their_email(sheet, run, server):
    # U+0085 (NEL) breaks a header line as \n does; it is what "…" from a Windows-1252 CSV becomes read as Latin-1
    sheet.put_rows("Leads", [lead_row(1, ID="L-1\x85A"), lead_row(2)])
    run("2026-11-02 10:05")
    assert [r.recipients for r in server.recorder.received] == [["lead2@example.com"]]
    assert sheet.rows("Leads")[0]["Problem"] == "ID: has a line break or a control character: retype it"


@pytest.mark.parametrize("name", ["Ivan\nBcc: victim@evil.example", "Ivan\x85Petrov"])
def test_a_subject_that_would_break_a_line_is_refused(make_mail_config, server, run, tmp_path, name):
    import shutil

    from tests.conftest import ROOT

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "email" / "en" / "d0_thanks.subject.txt").write_text("Hello {{ lead.name }}")
    config = make_mail_config(templates_dir=str(templates))
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1, Name=name), lead_row(2)])
    run("2026-11-02 10:05", config=config)
    assert [r.recipients for r in server.recorder.received] == [["lead2@example.com"]]
    assert sheet.rows("Leads")[0]["Problem"] == "email d0 not sent: the subject of d0_thanks has a line break"


def test_html_in_a_name_is_escaped_in_the_html_part(sheet, run, server):
    sheet.put_rows("Leads", [lead_row(1, Name='<script>alert("x")</script> <b>Boss</b>')])
    run("2026-11-02 10:05")
    html = server.recorder.received[0].message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;," in html
    text = server.recorder.received[0].message.get_body(("plain",)).get_content()
    assert text.startswith('<script>alert("x")</script>, thank you')  # plain text is not HTML: shown as typed


def test_the_password_never_lives_in_config(make_config):
    from touchsheet.errors import ConfigError

    with pytest.raises(ConfigError, match="a password never goes in config.yaml"):
        make_config(mail={"transport": "smtp", "smtp": {"user": USER, "password": "hunter2"}})


def test_a_missing_password_is_a_clear_message(make_mail_config, monkeypatch, run, sheet, server):
    monkeypatch.delenv("TOUCHSHEET_TEST_SMTP")
    sheet.put_rows("Leads", [lead_row(1)])
    summary = run("2026-11-02 10:05")
    assert waiting_for_mail(summary).startswith("no SMTP password: set the environment variable TOUCHSHEET_TEST_SMTP")
    assert sheet.rows("Touch log") == []


def test_a_password_file_beside_config_is_found_whatever_folder_the_worker_starts_in(
    make_mail_config, server, run, tmp_path, monkeypatch
):
    # config.yaml's first line: relative paths start at its folder; systemd starts the worker in another one
    (tmp_path / "smtp-password").write_text(PASSWORD + "\n")
    monkeypatch.delenv("TOUCHSHEET_TEST_SMTP")
    config = make_mail_config(mail={"smtp": {"password_file": "smtp-password"}})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1)])
    monkeypatch.chdir("/")
    assert run("2026-11-02 10:05", transport=open_transport(config), config=config).lines()[0] == "emails sent: 1"
    assert server.recorder.logins == 1


def test_a_local_relay_without_a_login_takes_the_email(make_mail_config, server, run):
    # security: none and no user: an office relay. The server wants EHLO before MAIL, login or not.
    config = make_mail_config(mail={"smtp": {"user": ""}})
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1)])
    assert run("2026-11-02 10:05", config=config).lines()[0] == "emails sent: 1"
    assert [(r.sender, r.recipients) for r in server.recorder.received] == [
        ("sales@northwind.example", ["lead1@example.com"])
    ]
    assert server.recorder.logins == 0


def test_a_sender_and_a_manager_on_a_cyrillic_domain_are_written_as_mail_servers_take_them(
    make_mail_config, server, run
):
    # северный-ветер.рф is xn----ctbbjbca2a9a3agbw5j.xn--p1ai in IDNA (worked out with Python's idna codec
    # by hand once, not by touchsheet); the names stay as typed.
    config = make_mail_config(
        mail={"sender": "Северный ветер <sales@северный-ветер.рф>"},
        managers={"Anna Smith": {"email": "anna@северный-ветер.рф", "signature": "Anna"}},
    )
    from tests.sheets.fixtures import XlsxSheet

    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1)])
    assert run("2026-11-02 10:05", config=config).lines()[0] == "emails sent: 1"
    (received,) = server.recorder.received
    assert received.sender == "sales@xn----ctbbjbca2a9a3agbw5j.xn--p1ai"
    assert received.message["From"].addresses[0].display_name == "Северный ветер"
    assert received.message["Reply-To"].addresses[0].addr_spec == "anna@xn----ctbbjbca2a9a3agbw5j.xn--p1ai"


def test_two_emails_with_one_subject_get_their_own_message_ids(sheet, run, server):
    # yagmail's own Message-ID is made from the subject: two Ivans would share one, and be threaded as one.
    sheet.put_rows("Leads", [lead_row(1, Name="Ivan Petrov"), lead_row(2, Name="Ivan Sidorov")])
    run("2026-11-02 10:05")
    first, second = (r.message for r in server.recorder.received)
    assert first["Subject"] == second["Subject"] == "Ivan, thank you for your request"
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@northwind.example>")


def one_email(make_mail_config, **smtp):
    """L-1's d0, sent with these mail.smtp settings through the transport the CLI opens."""
    from tests.builders import at
    from tests.sheets.fixtures import XlsxSheet
    from touchsheet.sync import run_once

    config = make_mail_config(mail={"smtp": smtp})
    sheet = XlsxSheet(config)
    sheet.init()
    sheet.put_rows("Leads", [lead_row(1)])
    summary = run_once(config, sheet.backend(), open_transport(config), at("2026-11-02 10:05"))
    return summary, sheet.rows("Touch log")


def waiting_for_mail(summary):
    """Why a run could not use the mail server, as its summary says: its one email waits, with no Touch log row."""
    said = "mail down, emails waiting for the next run: 1 ("
    sent, down = summary.lines()[:2]
    assert sent == "emails sent: 0" and down.startswith(said) and down.endswith(")"), summary.lines()
    return down[len(said) : -1]


def test_no_password_goes_to_a_server_whose_certificate_no_trusted_authority_signed(make_mail_config, secure_server):
    # a man in the middle shows a certificate of his own: no login, nothing handed over, the email waits
    server = secure_server()
    summary, log = one_email(make_mail_config, port=server.port, security=server.security)
    assert (server.recorder.logins, server.recorder.received, log) == (0, [], [])
    why = waiting_for_mail(summary)
    assert why.startswith("the certificate of 127.0.0.1:")
    assert "does not check out (unable to get local issuer certificate), so no login was sent" in why


def test_no_password_goes_to_a_server_whose_certificate_names_another_host(
    make_mail_config, secure_server, tmp_path, monkeypatch
):
    # a certificate from a trusted CA, but issued to mail.other.example, not to 127.0.0.1 that we dialled
    server = secure_server("mail.other.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    summary, log = one_email(make_mail_config, port=server.port, security=server.security)
    assert (server.recorder.logins, log) == (0, [])
    assert "does not check out (IP address mismatch, certificate is not valid for '127.0.0.1'" in waiting_for_mail(
        summary
    )


def test_a_server_with_a_certificate_from_the_teams_own_ca_is_trusted_through_ssl_cert_file(
    make_mail_config, secure_server, tmp_path, monkeypatch
):
    # README: SSL_CERT_FILE names the CA certificates to trust (OpenSSL's own variable)
    server = secure_server()
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    summary, (row,) = one_email(make_mail_config, port=server.port, security=server.security)
    assert (summary.lines()[0], row["Status"]) == ("emails sent: 1", "sent")
    assert (server.recorder.logins, len(server.recorder.received)) == (1, 1)


def _oauth2_file(folder, token_uri):
    """The file yagmail writes once authorised (README), pointed at a loopback token endpoint."""
    path = folder / "gmail-oauth2.json"
    keys = {"google_client_id": "1.apps.googleusercontent.com", "google_client_secret": "s"}
    path.write_text(json.dumps({"email_address": USER, **keys, "google_refresh_token": "r1", "token_uri": token_uri}))
    return path


def test_an_oauth2_file_logs_in_with_the_access_token_google_gives_for_its_refresh_token(
    make_mail_config, server, tmp_path
):
    # each run trades the file's refresh token for an access token, then logs in with it
    with TokenEndpoint() as google:
        summary, (row,) = one_email(make_mail_config, oauth2_file=str(_oauth2_file(tmp_path, google.url)))
    assert (summary.lines()[0], google.asked, server.recorder.logins) == ("emails sent: 1", ["r1"], 1)


def test_a_revoked_oauth2_refresh_token_says_so_and_the_email_waits(make_mail_config, server, tmp_path):
    # the Google account's password changed, or access was withdrawn: Google answers invalid_grant
    with TokenEndpoint(refresh_token="another") as google:  # r1 is no longer good
        path = _oauth2_file(tmp_path, google.url)
        summary, log = one_email(make_mail_config, oauth2_file=str(path))
    assert log == []
    assert waiting_for_mail(summary) == (
        f"Google refused the refresh token in the OAuth2 file {path} "
        "(invalid_grant: Token has been expired or revoked.): make the file again with yagmail "
        "(see README, 'Sending real email')"
    )
    assert server.recorder.connections == 0  # no line opened for a login that cannot work


def test_a_token_endpoint_that_does_not_answer_leaves_the_emails_for_the_next_run(make_mail_config, server, tmp_path):
    # Google takes 5 s to answer; the run waits the SMTP timeout (1 s), not for ever (yagmail's request has none)
    with TokenEndpoint(stall=5) as google:
        path = _oauth2_file(tmp_path, google.url)
        summary, log = one_email(make_mail_config, oauth2_file=str(path), timeout_seconds=1)
    assert (log, google.asked) == ([], ["r1"])
    why = waiting_for_mail(summary)
    assert why.startswith("cannot reach Google for an OAuth2 access token (") and "timed out" in why
    assert server.recorder.connections == 0


@pytest.mark.parametrize(
    "content, why",
    [
        (None, "cannot read the OAuth2 file {path} (No such file or directory)"),  # not copied to the server
        ("{not json", "the OAuth2 file {path} is not JSON"),
        # the client_secret.json Google hands out, not the file yagmail makes from it
        (
            '{"installed": {"client_id": "1.apps.googleusercontent.com", "client_secret": "x"}}',
            "the OAuth2 file {path} does not hold google_client_id, google_client_secret, google_refresh_token: "
            "make it with yagmail (see README, 'Sending real email')",
        ),
    ],
)
def test_an_oauth2_file_missing_or_not_yagmails_is_a_clear_message_not_a_question_on_stdin(
    make_mail_config, server, tmp_path, monkeypatch, content, why
):
    # yagmail asked for the keys on stdin: under cron or systemd (no stdin) the run died once the email
    # was logged pending; in a terminal it waited for ever
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    path = tmp_path / "gmail-oauth2.json"
    if content:
        path.write_text(content)
    summary, log = one_email(make_mail_config, oauth2_file=str(path))
    assert (waiting_for_mail(summary), log) == (why.format(path=path), [])
    assert server.recorder.connections == 0
