"""Self-test of the upstream peers in upstreams.py, driven by smtplib (no postern involved):
the delivery tests are only as good as the servers they deliver to."""

import base64
import smtplib
import socket
import ssl
import unittest

import harness as h
import upstreams as up


def tls_session(port, context=None, host="localhost"):
    smtp = smtplib.SMTP(host, port, local_hostname="selftest.example", timeout=15)
    smtp.ehlo()
    smtp.starttls(context=context or up.TestCA.get().client_context())
    smtp.ehlo()
    return smtp


class TestCATest(unittest.TestCase):

    def test_server_cert_verifies_for_localhost_and_ip(self):
        for host in ("localhost", "127.0.0.1"):
            with self.subTest(host=host), up.FaultUpstream() as fault:
                with tls_session(fault.port, host=host) as smtp:
                    self.assertEqual(smtp.noop()[0], 250)
                self.assertEqual(fault.handshakes, 1)

    def test_wrong_and_cn_only_certs_fail_verification(self):
        for cert in ("wrong", "cn_only"):
            with self.subTest(cert=cert), up.FaultUpstream(up.Scenario(cert=cert)) as fault:
                with self.assertRaises(ssl.SSLCertVerificationError):
                    tls_session(fault.port)


class AiosmtpdUpstreamTest(unittest.TestCase):

    def setUp(self):
        self.up = up.AiosmtpdUpstream()
        self.addCleanup(self.up.stop)

    def test_records_tls_auth_and_bytes(self):
        msg = h.make_message("selftest", [".leading dot", "b\u00e9".encode("latin-1")])
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mech=mech), tls_session(self.up.port) as smtp:
                smtp.user, smtp.password = up.UP_USER, up.UP_PASSWORD
                fn = {"PLAIN": smtp.auth_plain, "LOGIN": smtp.auth_login}[mech]
                smtp.auth(mech, fn)
                smtp.sendmail(h.SENDER, ["a@example.net", "b@example.net"], msg)
                smtp.sendmail(h.SENDER, ["c@example.net"], msg)
        txs = self.up.transactions
        self.assertEqual(len(txs), 4)
        self.assertTrue(all(t.content == msg and t.tls for t in txs))
        self.assertEqual(txs[0].rcpt_tos, ["a@example.net", "b@example.net"])
        conns = self.up.connections
        self.assertEqual(len(conns), 2)
        self.assertEqual([c.auth[0][0] for c in conns], ["PLAIN", "LOGIN"])
        self.assertTrue(all(c.tls and c.auth[0][3] for c in conns))

    def test_requires_tls_and_good_password(self):
        with smtplib.SMTP("127.0.0.1", self.up.port, timeout=15) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("auth"))
            self.assertEqual(smtp.mail(h.SENDER)[0], 530)
        with tls_session(self.up.port) as smtp:
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login(up.UP_USER, "wrong")
            self.assertEqual(smtp.mail(h.SENDER)[0], 530)
        self.assertEqual(self.up.transactions, [])

    def test_gate_holds_the_greeting(self):
        self.up.gate.clear()
        sock = socket.create_connection(("127.0.0.1", self.up.port), timeout=0.5)
        with sock, self.assertRaises(socket.timeout):
            sock.recv(100)
        self.up.gate.set()
        with tls_session(self.up.port) as smtp:
            self.assertEqual(smtp.noop()[0], 250)


class FaultUpstreamTest(unittest.TestCase):

    def fault(self, *scenarios):
        f = up.FaultUpstream(*scenarios)
        self.addCleanup(f.stop)
        return f

    def test_default_accepts_and_checks_credentials(self):
        f = self.fault()
        msg = h.make_message("fault ok", ["x"])
        with tls_session(f.port) as smtp:
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login(up.UP_USER, "nope")
            smtp.login(up.UP_USER, up.UP_PASSWORD)
            self.assertEqual(smtp.sendmail(h.SENDER, ["a@example.net"], msg), {})
        (tx,) = f.transactions
        self.assertEqual((tx.mail_from, tx.rcpt_tos, tx.content, tx.tls),
                         (h.SENDER, ["a@example.net"], msg, True))
        self.assertEqual(f.connections[0].out_of_turn, [])

    def test_greeting_421_closes(self):
        f = self.fault(up.Scenario(greeting="421 4.7.0 Try again later"))
        with self.assertRaises(smtplib.SMTPConnectError):
            smtplib.SMTP("127.0.0.1", f.port, timeout=15)

    def test_scenarios_per_connection(self):
        f = self.fault(up.Scenario(greeting="421 4.4.5 Server busy"), up.Scenario())
        with self.assertRaises(smtplib.SMTPConnectError):
            smtplib.SMTP("127.0.0.1", f.port, timeout=15)
        with tls_session(f.port) as smtp:
            self.assertEqual(smtp.noop()[0], 250)

    def test_set_scenarios_switches_live_connections(self):
        f = self.fault(up.Scenario(rcpt_default="451 4.3.0 later"))
        with tls_session(f.port) as smtp:
            smtp.login(up.UP_USER, up.UP_PASSWORD)
            smtp.mail(h.SENDER)
            self.assertEqual(smtp.rcpt("a@example.net")[0], 451)
            f.set_scenarios(up.Scenario())
            self.assertEqual(smtp.rcpt("a@example.net")[0], 250)

    def test_mixed_rcpt_and_dot_replies(self):
        f = self.fault(up.Scenario(rcpt_replies={"bad@example.net": "550 5.1.1 no such user",
                                                 "later@example.net": "451 4.3.0 later"},
                                   dot_reply="550 5.4.5 Daily user sending limit exceeded"))
        with tls_session(f.port) as smtp:
            smtp.login(up.UP_USER, up.UP_PASSWORD)
            smtp.mail(h.SENDER)
            self.assertEqual(smtp.rcpt("ok@example.net")[0], 250)
            self.assertEqual(smtp.rcpt("bad@example.net")[0], 550)
            self.assertEqual(smtp.rcpt("later@example.net")[0], 451)
            code, text = smtp.data(h.make_message("mixed", ["x"]))
            self.assertEqual((code, text), (550, b"5.4.5 Daily user sending limit exceeded"))
        (tx,) = f.transactions
        self.assertEqual(tx.rcpt_tos, ["ok@example.net"])

    def test_max_rcpts(self):
        f = self.fault(up.Scenario(max_rcpts=2))
        with tls_session(f.port) as smtp:
            smtp.login(up.UP_USER, up.UP_PASSWORD)
            smtp.mail(h.SENDER)
            codes = [smtp.rcpt(f"r{i}@example.net")[0] for i in range(3)]
        self.assertEqual(codes, [250, 250, 452])

    def test_disconnects(self):
        for kw in ("disconnect_during_data", "disconnect_after_dot"):
            with self.subTest(kw):
                f = self.fault(up.Scenario(**{kw: True}))
                with tls_session(f.port) as smtp:
                    smtp.login(up.UP_USER, up.UP_PASSWORD)
                    with self.assertRaises(smtplib.SMTPServerDisconnected):
                        smtp.sendmail(h.SENDER, ["a@example.net"], h.make_message(kw, ["x"]))
                self.assertEqual(len(f.transactions), 1 if kw == "disconnect_after_dot" else 0)

    def test_slow_reply(self):
        f = self.fault(up.Scenario(delay=2.0, delay_at=("greeting",)))
        with self.assertRaises((socket.timeout, smtplib.SMTPServerDisconnected)):
            smtplib.SMTP("127.0.0.1", f.port, timeout=0.5)

    def test_no_starttls(self):
        f = self.fault(up.Scenario(starttls=False))
        with smtplib.SMTP("127.0.0.1", f.port, timeout=15) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("starttls"))
            smtp.login(up.UP_USER, up.UP_PASSWORD)  # a careless client would do this
        self.assertTrue(f.connections[0].plaintext_auth_or_mail)

    def test_injection_is_sent_and_detected(self):
        f = self.fault(up.Scenario(inject_after_starttls=b"250 fake\r\n"))
        sock = socket.create_connection(("127.0.0.1", f.port), timeout=15)
        with sock:
            sock.recv(1000)
            sock.sendall(b"EHLO x\r\n")
            sock.recv(1000)
            sock.sendall(b"STARTTLS\r\n")
            got = b""
            while b"fake" not in got:
                got += sock.recv(1000)
            self.assertEqual(got, b"220 2.0.0 Ready to start TLS\r\n250 fake\r\n")
            tls = up.TestCA.get().client_context().wrap_socket(sock, server_hostname="localhost")
            tls.sendall(b"EHLO x\r\nAUTH PLAIN " + base64.b64encode(b"\0a\0b") + b"\r\n")
            tls.recv(1000)
        self.assertTrue(up.wait_for(lambda: f.connections[0].out_of_turn, 5))

    def test_auth_reply_535(self):
        f = self.fault(up.Scenario(auth_reply="535 5.7.139 Authentication unsuccessful"))
        with tls_session(f.port) as smtp, self.assertRaises(smtplib.SMTPAuthenticationError):
            smtp.login(up.UP_USER, up.UP_PASSWORD)


class PostfixUpstreamTest(unittest.TestCase):

    def test_postfix_accepts_after_tls_and_sasl(self):
        pf = up.PostfixUpstream()
        self.addCleanup(pf.stop)
        msg = h.make_message("postfix selftest", ["x"])
        mid = [l for l in msg.split(b"\r\n") if l.startswith(b"Message-ID:")][0][12:].decode()
        with tls_session(pf.port) as smtp:
            smtp.login(pf.user, pf.password)
            self.assertEqual(smtp.sendmail(h.SENDER, ["a@example.net"], msg), {})
        found = up.wait_for(lambda: [d for d in pf.delivered(mid) if d[2]], 30)
        self.assertTrue(found, pf.maillog()[-3000:])
        self.assertIn("sasl_method=PLAIN", found[0][1][0])


if __name__ == "__main__":
    h.main()
