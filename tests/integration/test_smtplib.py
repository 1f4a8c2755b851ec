"""Python's smtplib as the real client: STARTTLS, AUTH, submission, stored bytes."""

import signal
import smtplib
import time
import ssl
import uuid

import harness as h


class SmtplibTest(h.ServerTestCase):

    def stored_by_token(self, token):
        ids = self.server.store().find(token.encode())
        self.assertEqual(len(ids), 1, f"expected exactly one stored message with {token}")
        return ids[0]

    def test_sendmail_high_level_api(self):
        token = uuid.uuid4().hex
        msg = h.make_message(f"sendmail {token}", ["Hello from smtplib.", token])
        with h.smtp_session(self.server) as smtp:
            refused = smtp.sendmail(h.SENDER, ["bob@example.net", "carol@example.net"], msg)
            self.assertEqual(refused, {})
        qid = self.stored_by_token(token)
        self.assertRegex(qid, h.QUEUE_ID_RE)
        h.check_stored(self.server.store().content(qid), msg)
        stored = self.server.store().message(qid)
        self.assertEqual(stored["mail_from"], h.SENDER)
        self.assertEqual(stored["account"], h.USER)
        self.assertEqual([r["address"] for r in stored["recipients"]],
                         ["bob@example.net", "carol@example.net"])
        # Queued, or already delivered into the capture mailbox (the default mode races us).
        self.assertTrue(all(r["state"] in ("queued", "delivered") for r in stored["recipients"]))

    def test_dot_unstuffing_8bit_and_long_lines(self):
        token = uuid.uuid4().hex
        body = [
            ".",                       # a lone dot line inside the body (stuffed to "..")
            "..",
            ".leading dot",
            "...three dots",
            ". space after dot",
            " .not at start",
            "Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\u8a9e".encode("utf-8"),
            b"latin-1 bytes: \xe9\xe8\xff",
            "x" * 998,                 # longest legal text line: 998 + CRLF = 1000 octets
            "." + "y" * 997,           # dot-stuffed on the wire to 999 + CRLF (still legal)
            "",
            token,
            ".",
        ]
        msg = h.make_message(f"dots {token}", body,
                             extra_headers=["MIME-Version: 1.0",
                                            "Content-Type: text/plain; charset=utf-8",
                                            "Content-Transfer-Encoding: 8bit"])
        with h.smtp_session(self.server) as smtp:
            self.assertTrue(smtp.has_extn("8bitmime"), "8BITMIME not advertised")
            code, text, qid = h.submit(smtp, h.SENDER, ["bob@example.net"], msg,
                                       ["BODY=8BITMIME"])
        self.assertEqual(code, 250, text)
        self.assertRegex(text, r"^2\.0\.0 Ok: queued as [A-Za-z0-9]{20}$")
        self.assertIsNotNone(qid)
        h.check_stored(self.server.store().content(qid), msg)

    def test_added_headers_only_when_missing(self):
        cases = [  # (message_id, date) present in the sent message
            (True, True), (False, True), (True, False), (False, False),
        ]
        with h.smtp_session(self.server) as smtp:
            for has_id, has_date in cases:
                with self.subTest(message_id=has_id, date=has_date):
                    msg = h.make_message(f"headers {has_id} {has_date}", ["body"],
                                         message_id=has_id, date=has_date)
                    code, text, qid = h.submit(smtp, h.SENDER, ["bob@example.net"], msg)
                    self.assertEqual(code, 250, text)
                    received, added = h.check_stored(self.server.store().content(qid), msg)
                    self.assertEqual(len(added), (not has_id) + (not has_date))
                    for line in added:
                        if line.lower().startswith(b"message-id:"):
                            self.assertRegex(line, rb"^Message-ID: ?<[^<>@\s]+@[^<>@\s]+>$")
                    self.assertIn(b"\r\n", received)

    def test_multiple_messages_per_connection(self):
        sent = {}
        with h.smtp_session(self.server) as smtp:
            for i in range(5):
                rcpts = [f"r{i}-{j}@example.net" for j in range(i + 1)]
                sender = h.SENDER if i % 2 == 0 else f"user{i}@example.org"
                msg = h.make_message(f"multi {i}", [f"message number {i}"], sender=sender)
                code, text, qid = h.submit(smtp, sender, rcpts, msg)
                self.assertEqual(code, 250, text)
                self.assertNotIn(qid, sent)
                sent[qid] = (sender, rcpts, msg)
            self.assertEqual(smtp.noop()[0], 250)
        store = self.server.store()
        for qid, (sender, rcpts, msg) in sent.items():
            stored = store.message(qid)
            self.assertIsNotNone(stored, qid)
            self.assertEqual(stored["mail_from"], sender)
            self.assertEqual([r["address"] for r in stored["recipients"]], rcpts)
            h.check_stored(stored["content"], msg)

    def test_null_reverse_path_accepted(self):
        msg = h.make_message("null path", ["bounce-like"])
        with h.smtp_session(self.server) as smtp:
            code, text, qid = h.submit(smtp, "", ["bob@example.net"], msg)
        self.assertEqual(code, 250, text)
        self.assertEqual(self.server.store().message(qid)["mail_from"], "")

    def test_smtputf8_address(self):
        with h.smtp_session(self.server) as smtp:
            if not smtp.has_extn("smtputf8"):
                self.skipTest("SMTPUTF8 not advertised")
            sender, rcpt = "j\u00f6rg@example.org", "\u00fcber@b\u00fccher.example"
            msg = h.make_message("utf8", ["body"], sender=sender, to=rcpt)
            code, text, qid = h.submit(smtp, sender, [rcpt], msg, ["SMTPUTF8", "BODY=8BITMIME"])
        self.assertEqual(code, 250, text)
        stored = self.server.store().message(qid)
        self.assertEqual(stored["mail_from"], sender)
        self.assertEqual([r["address"] for r in stored["recipients"]], [rcpt])
        h.check_stored(stored["content"], msg)

    def test_auth_login_mechanism(self):
        msg = h.make_message("login", ["via AUTH LOGIN"])
        with h.smtp_session(self.server, mechanism="LOGIN") as smtp:
            code, text, qid = h.submit(smtp, h.SENDER, ["bob@example.net"], msg)
        self.assertEqual(code, 250, text)
        h.check_stored(self.server.store().content(qid), msg)

    def test_wrong_password_rejected(self):
        for mechanism in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mechanism):
                with self.assertRaises(smtplib.SMTPAuthenticationError) as ctx:
                    h.smtp_session(self.server, password="not-the-password",
                                   mechanism=mechanism).close()
                self.assertEqual(ctx.exception.smtp_code, 535)
                self.assertTrue(ctx.exception.smtp_error.startswith(b"5.7.8"),
                                ctx.exception.smtp_error)
        # A good login afterwards still works (and clears the throttle for later tests).
        h.smtp_session(self.server).quit()

    def test_generated_certificate_verifies(self):
        cert = self.server.cert_path
        self.assertTrue(cert.exists(), f"no generated certificate at {cert}")
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        with h.smtp_session(self.server, context=ctx) as smtp:
            self.assertEqual(smtp.noop()[0], 250)
            der = smtp.sock.getpeercert(binary_form=True)
        first_pem = cert.read_text().split("-----END CERTIFICATE-----")[0]
        self.assertEqual(der, ssl.PEM_cert_to_DER_cert(first_pem + "-----END CERTIFICATE-----\n"))

    def test_zz_no_password_in_logs(self):
        self.assertNoSecretsLogged("not-the-password")


class LifecycleTest(h.unittest.TestCase):

    def test_long_password_logs_in_with_plain_and_login(self):
        """RFC 4954 §4: AUTH lines up to 12288 octets. A 900-character password makes
        smtplib's PLAIN initial response about 1,200 octets, over the 512 of other commands."""
        password = "p" * 900
        server = h.Server(extra_env={"POSTERN_PASSWORD": password})
        self.addCleanup(server.cleanup)
        server.start()
        for mechanism in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mechanism):
                with h.smtp_session(server, password=password, mechanism=mechanism) as smtp:
                    self.assertEqual(smtp.noop()[0], 250)

    def test_listen_port_zero(self):
        """Contract: POSTERN_LISTEN=127.0.0.1:0 binds an ephemeral port and logs it."""
        server = h.Server(extra_env={"POSTERN_LISTEN": "127.0.0.1:0"})
        self.addCleanup(server.cleanup)
        server.start()
        self.assertEqual(server.host, "127.0.0.1")
        self.assertNotEqual(server.port, 0)
        with h.smtp_session(server) as smtp:
            self.assertEqual(smtp.noop()[0], 250)

    def test_sigterm_exits_zero_and_messages_survive_restart(self):
        server = h.Server()
        self.addCleanup(server.cleanup)
        server.start()
        msg = h.make_message("restart", ["survives a restart"])
        with h.smtp_session(server) as smtp:
            code, text, qid = h.submit(smtp, h.SENDER, ["bob@example.net"], msg)
        self.assertEqual(code, 250, text)
        self.assertEqual(server.stop(), 0, "SIGTERM did not exit 0")
        server.start()
        self.assertEqual(server.store().queue_ids(), [qid])
        h.check_stored(server.store().content(qid), msg)
        self.assertEqual(server.stop(), 0)

    def test_sigterm_says_421_to_idle_sessions_and_finishes_a_message_in_progress(self):
        server = h.Server()
        self.addCleanup(server.cleanup)
        server.start()
        idle = h.smtp_session(server)
        busy = h.smtp_session(server)
        self.addCleanup(idle.close)
        self.addCleanup(busy.close)
        msg = h.make_message("shutdown", ["sent across a shutdown"] * 20)
        self.assertEqual(busy.mail(h.SENDER)[0], 250)
        self.assertEqual(busy.rcpt("bob@example.net")[0], 250)
        self.assertEqual(busy.docmd("DATA")[0], 354)
        half = len(msg) // 2
        busy.send(msg[:half])
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        # The idle session is told at once (RFC 5321 §3.8), not left to the drain's bound.
        code, text = idle.getreply()
        self.assertEqual(code, 421, text)
        self.assertIn(b"4.3.2", text)
        # The message in progress is still accepted, then that session is told too.
        busy.send(msg[half:] + b".\r\n")  # msg ends in CRLF
        code, text = busy.getreply()
        self.assertEqual(code, 250, text)
        qid = h.queue_id_of(text.decode())
        code, text = busy.getreply()
        self.assertEqual(code, 421, text)
        self.assertEqual(h.reap(server.proc), 0, "SIGTERM did not exit 0")
        self.assertLess(time.monotonic() - started, 5.0, "the drain waited for idle sessions")
        server.start()
        self.assertEqual(server.store().queue_ids(), [qid])
        h.check_stored(server.store().content(qid), msg)
        self.assertEqual(server.stop(), 0)

    def test_users_cli(self):
        server = h.Server()
        self.addCleanup(server.cleanup)
        env = {k: v for k, v in server.env().items() if k != "POSTERN_LISTEN"}  # not needed
        rc, out, err = h.run_tool([h.postern_bin(), "users", "add", "bob", "--senders",
                                   "bob@example.net"], b"bob-secret-pw", env=env)
        self.assertEqual(rc, 0, err)
        # A password AUTH could never carry (over 4096 bytes) is refused, and nothing is stored.
        rc, out, err = h.run_tool([h.postern_bin(), "users", "add", "carol", "--senders",
                                   "carol@example.net"], b"p" * 5000, env=env)
        self.assertEqual(rc, 2, out + err)
        self.assertIn(b"longer than 4096 bytes", err)
        rc, out, err = h.run_tool([h.postern_bin(), "users", "list"], env=env)
        self.assertEqual(rc, 0, err)
        self.assertIn(b"bob", out)
        self.assertNotIn(b"carol", out)
        self.assertNotIn(b"bob-secret-pw", out + err)
        server.start()
        msg = h.make_message("bob", ["from the file account"], sender="bob@example.net")
        with h.smtp_session(server, user="bob", password="bob-secret-pw") as smtp:
            code, text, qid = h.submit(smtp, "bob@example.net", ["x@example.net"], msg)
            self.assertEqual(code, 250, text)
            code, _ = smtp.mail(h.SENDER)  # alice's address is not bob's
            self.assertEqual(code, 550)
        self.assertEqual(server.store().message(qid)["account"], "bob")
        self.assertNotIn("bob-secret-pw", server.log_text())


if __name__ == "__main__":
    h.main()
