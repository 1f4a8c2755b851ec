"""Security properties over raw sockets: SMTP smuggling, STARTTLS injection, TLS/AUTH order,
sender rights, limits, AUTH abuse, secrets in logs (smtp-checklist.md)."""

import base64
import time
import uuid

import harness as h

MUST_TLS = "530 5.7.0 Must issue a STARTTLS command first"
AUTH_REQUIRED = "530 5.7.0 Authentication required"
BARE = "554 5.5.2 bare CR or LF in message"
WRONG_PASSWORDS = ("wrong-pass-1", "wrong-pass-2", "wrong-pass-3")


def plain_token(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


class SecurityTest(h.ServerTestCase):

    # --- helpers ---
    def raw(self, source=None):
        client = h.RawClient(self.server.host, self.server.port, source=source)
        self.addCleanup(client.close)
        return client

    def authed(self, source=None):
        client = self.raw(source)
        self.ehlo_keywords = client.login()
        return client

    def open_data(self, client, sender=h.SENDER, rcpt="x@example.net"):
        self.assertEqual(client.cmd(f"MAIL FROM:<{sender}>")[0], 250)
        self.assertEqual(client.cmd(f"RCPT TO:<{rcpt}>")[0], 250)
        code, lines = client.cmd("DATA")
        self.assertEqual(code, 354, lines)

    def assertReply(self, text, prefix):
        """`text` (a reply line, or the (code, lines) of RawClient.cmd) starts with `prefix`."""
        if isinstance(text, tuple):
            text = text[1][-1]
        self.assertTrue(text.startswith(prefix), f"expected {prefix!r}, got {text!r}")

    def assertNothingPending(self, client, wait=0.5):
        self.assertEqual(client.pending(wait), b"", "unexpected extra bytes from the server")

    def assertAlive(self, client):
        code, lines = client.cmd("NOOP")
        self.assertEqual(code, 250, lines)

    def assertNotStored(self, *tokens):
        for token in tokens:
            self.assertEqual(self.server.store().find(token), [], f"{token!r} was stored")

    def head(self, token, sender=h.SENDER):
        return (f"From: <{sender}>\r\nTo: <x@example.net>\r\nSubject: {token}\r\n\r\n"
                .encode())

    # --- SMTP smuggling (CVE-2023-51764/5/6) ---
    def test_smuggling_variants_refused_and_nothing_stored(self):
        variants = {
            "LF.LF": b"\n.\n",
            "LF.CRLF": b"\n.\r\n",
            "CR.CR": b"\r.\r",
            "CRLF.LF": b"\r\n.\n",
            "LF.LF-after-CRLF": b"\r\n\n.\n",
        }
        client = self.authed()
        before = self.server.store().count()
        for name, sep in variants.items():
            for split in (False, True):
                with self.subTest(variant=name, split_writes=split):
                    first, second = (f"first-{uuid.uuid4().hex}".encode(),
                                     f"smuggled-{uuid.uuid4().hex}".encode())
                    self.open_data(client)
                    part1 = self.head(first) + b"first body " + first + sep
                    part2 = (b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<victim@example.net>\r\n"
                             b"DATA\r\n" + self.head(second) + b"smuggled body " + second
                             + b"\r\n.\r\n")
                    if split:
                        client.send(part1)
                        time.sleep(0.05)
                        client.send(part2)
                    else:
                        client.send(part1 + part2)
                    self.assertEqual(client.reply_text(), BARE)
                    self.assertNothingPending(client)
                    self.assertAlive(client)
                    self.assertNotStored(first, second)
        self.assertEqual(self.server.store().count(), before)
        # The session is still usable for a clean message afterwards.
        token = uuid.uuid4().hex.encode()
        self.open_data(client)
        client.send(self.head(token) + b"clean\r\n.\r\n")
        text = client.reply_text()
        self.assertRegex(text, r"^250 2\.0\.0 Ok: queued as [A-Za-z0-9]{20}$")
        self.assertEqual(self.server.store().find(token), [h.queue_id_of(text)])

    def test_bare_cr_lf_nul_in_body_refused(self):
        cases = {"bare CR": b"a\rb\r\n", "bare LF": b"a\nb\r\n", "NUL": b"a\x00b\r\n",
                 "bare LF in header": b"X-A: 1\nX-B: 2\r\n\r\nbody\r\n"}
        client = self.authed()
        for name, body in cases.items():
            with self.subTest(case=name):
                token = uuid.uuid4().hex.encode()
                self.open_data(client)
                client.send(self.head(token) + body + b"tail\r\n.\r\n")
                text = client.reply_text()
                if name == "NUL":
                    self.assertReply(text, "554 5.5.2")
                else:
                    self.assertEqual(text, BARE)
                self.assertNothingPending(client)
                self.assertAlive(client)
                self.assertNotStored(token)

    def test_bare_lf_command_refused_whole(self):
        client = self.raw()
        self.assertEqual(client.reply()[0], 220)
        client.send(b"NOOP\nRSET\r\n")
        self.assertReply(client.reply_text(), "500 5.5.2")
        self.assertNothingPending(client)
        self.assertAlive(client)

    # --- STARTTLS command injection (CVE-2011-0411) ---
    def test_starttls_injection_discarded(self):
        for injected in (b"RSET\r\n", b"NOOP\r\nRSET\r\n"):
            with self.subTest(injected=injected):
                client = self.raw()
                self.assertEqual(client.reply()[0], 220)
                client.ehlo()
                client.send(b"STARTTLS\r\n" + injected)
                code, lines = client.reply()
                self.assertEqual(code, 220, lines)
                # Nothing else in plaintext (a reply to the injected command would be here).
                self.assertEqual(client.pending(0.5), b"", "plaintext after 220 to STARTTLS")
                try:
                    client.wrap_tls()
                except (OSError, h.ssl.SSLError):
                    # Refusing the handshake is also safe: nothing injected was executed.
                    continue
                # Our own command's reply must be the first thing after the handshake.
                code, lines = client.cmd("EHLO after-tls.example")
                self.assertEqual(code, 250, lines)
                self.assertGreater(len(lines), 1, f"first reply after TLS is not EHLO's: {lines}")
                self.assertTrue(any(l[4:].upper().startswith("AUTH") for l in lines), lines)
                self.assertNothingPending(client)

    # --- order: TLS before AUTH, AUTH before MAIL ---
    def test_plaintext_ehlo_and_commands_before_tls(self):
        client = self.raw()
        self.assertEqual(client.reply()[0], 220)
        keywords = [k.upper() for k in client.ehlo()]
        names = [k.split()[0] for k in keywords[1:]]
        for required in ("STARTTLS", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE"):
            self.assertIn(required, names)
        self.assertNotIn("AUTH", names)
        for command in (f"AUTH PLAIN {plain_token(h.USER, h.PASSWORD)}", "AUTH LOGIN",
                        "MAIL FROM:<alice@example.com>", "RCPT TO:<x@example.net>", "DATA"):
            with self.subTest(command=command.split()[0:2]):
                self.assertEqual(client.cmd(command)[1][-1], MUST_TLS)
        self.assertAlive(client)

    def test_after_tls_ehlo_starttls_twice_and_mail_before_auth(self):
        client = self.raw()
        self.assertEqual(client.reply()[0], 220)
        client.ehlo()
        client.starttls()
        keywords = [k.upper() for k in client.ehlo()]
        auth = [k.split() for k in keywords if k.startswith("AUTH ")]
        self.assertEqual(len(auth), 1, keywords)
        self.assertEqual(sorted(auth[0][1:]), ["LOGIN", "PLAIN"])
        self.assertNotIn("STARTTLS", [k.split()[0] for k in keywords])
        self.assertReply(client.cmd("STARTTLS")[1][-1], "503 5.5.1")
        self.assertEqual(client.cmd("MAIL FROM:<alice@example.com>")[1][-1], AUTH_REQUIRED)
        self.assertEqual(client.cmd("RCPT TO:<x@example.net>")[0] // 100, 5)
        self.assertEqual(client.cmd("DATA")[0] // 100, 5)

    # --- sender rights ---
    def test_envelope_sender_rights(self):
        client = self.authed()
        cases = [
            ("bob@example.com", False), ("alice@example.net", False),
            ("alice@example.com.evil", False), ("x@sub.example.org", False),
            (h.SENDER, True), ("alice+tag@example.com", True), ("anyone@EXAMPLE.ORG", True),
            ("", True),
        ]
        for sender, allowed in cases:
            with self.subTest(sender=sender):
                text = client.cmd(f"MAIL FROM:<{sender}>")[1][-1]
                self.assertEqual(client.cmd("RSET")[0], 250)
                if allowed:
                    self.assertReply(text, "250 ")
                else:
                    self.assertReply(text, "550 5.7.1")

    def test_header_from_rights(self):
        client = self.authed()
        cases = [("bob@example.net", False), ("Mallory <alice@example.com.evil>", False),
                 ("someone@example.org", True), ("Alice <alice@example.com>", True)]
        for header_from, allowed in cases:
            with self.subTest(header_from=header_from):
                token = uuid.uuid4().hex.encode()
                self.open_data(client)
                client.send(f"From: {header_from}\r\nSubject: x\r\n\r\n".encode() + token
                            + b"\r\n.\r\n")
                text = client.reply_text()
                if allowed:
                    self.assertReply(text, "250 2.0.0")
                    self.assertEqual(self.server.store().find(token), [h.queue_id_of(text)])
                else:
                    self.assertReply(text, "550 5.7.1")
                    self.assertNotStored(token)

    # --- limits ---
    def test_recipient_limit(self):
        client = self.authed()
        self.assertEqual(client.cmd(f"MAIL FROM:<{h.SENDER}>")[0], 250)
        client.send("".join(f"RCPT TO:<r{i}@example.net>\r\n" for i in range(101)))
        replies = [client.reply_text() for _ in range(101)]
        for i, text in enumerate(replies[:100]):
            self.assertTrue(text.startswith("250 "), f"RCPT {i + 1}: {text}")
        self.assertTrue(replies[100].startswith("452 4.5.3"), replies[100])
        token = uuid.uuid4().hex.encode()
        self.assertEqual(client.cmd("DATA")[0], 354)
        client.send(self.head(token) + b"many\r\n.\r\n")
        text = client.reply_text()
        self.assertReply(text, "250 ")
        stored = self.server.store().message(h.queue_id_of(text))
        self.assertEqual([r["address"] for r in stored["recipients"]],
                         [f"r{i}@example.net" for i in range(100)])

    def test_declared_size_too_big(self):
        client = self.authed()
        limit = h.size_limit(self.ehlo_keywords)
        self.assertIsNotNone(limit, f"no SIZE in EHLO: {self.ehlo_keywords}")
        self.assertReply(client.cmd(f"MAIL FROM:<{h.SENDER}> SIZE={limit + 1}")[1][-1], "552 5.3.4")
        self.assertEqual(client.cmd(f"MAIL FROM:<{h.SENDER}> SIZE={limit}")[0], 250)
        self.assertEqual(client.cmd("RSET")[0], 250)

    def test_oversize_while_reading(self):
        client = self.authed()
        limit = h.size_limit(self.ehlo_keywords)
        self.assertIsNotNone(limit)
        self.assertLess(limit, 200 * 1024 * 1024, "SIZE too large to test quickly")
        token, smuggled = uuid.uuid4().hex.encode(), uuid.uuid4().hex.encode()
        before = self.server.store().count()
        self.open_data(client)
        client.send(self.head(token))
        line = b"o" * 98 + b"\r\n"
        chunk = line * 10000  # ~1 MB
        sent = 0
        while sent <= limit + len(chunk):
            client.send(chunk)
            sent += len(chunk)
        # Past the limit: these lines must be discarded, never run as commands.
        client.send(b"\r\nRSET\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<v@example.net>\r\n"
                    b"DATA\r\n" + self.head(smuggled) + b"x\r\nafter\r\n.\r\n")
        text = client.reply_text(timeout=120)
        self.assertReply(text, "552 5.3.4")
        self.assertNothingPending(client)
        self.assertAlive(client)
        self.assertNotStored(token, smuggled)
        self.assertEqual(self.server.store().count(), before)

    def test_command_line_length(self):
        client = self.raw()
        self.assertEqual(client.reply()[0], 220)
        self.assertEqual(client.cmd("NOOP " + "x" * 505)[0], 250)  # 512 octets with CRLF
        self.assertReply(client.cmd("NOOP " + "x" * 506)[1][-1], "500 5.5.6")
        self.assertReply(client.cmd("NOOP " + "x" * 5000)[1][-1], "500 5.5.6")
        self.assertNothingPending(client)
        self.assertAlive(client)
        authed = self.authed()
        text = authed.cmd("MAIL FROM:<alice@example.com> " + "X-P=" + "y" * 600)[1][-1]
        self.assertReply(text, "500 5.5.6")
        self.assertAlive(authed)

    def test_address_length_limits(self):
        client = self.authed()
        self.assertReply(client.cmd(f"MAIL FROM:<{'a' * 65}@example.org>")[1][-1], "501 5.1.3")
        self.assertEqual(client.cmd(f"MAIL FROM:<{'a' * 64}@example.org>")[0], 250)
        self.assertReply(client.cmd(f"RCPT TO:<{'b' * 65}@example.net>")[1][-1], "501 5.1.3")
        self.assertEqual(client.cmd(f"RCPT TO:<{'b' * 64}@example.net>")[0], 250)
        long_domain = ".".join(["d" * 63] * 4) + ".net"  # 259 octets > 255
        self.assertReply(client.cmd(f"RCPT TO:<c@{long_domain}>")[1][-1], "501 5.1.3")

    # --- hostile peers ---
    def test_http_verbs_close_connection(self):
        for request in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                        b"POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"):
            with self.subTest(request=request.split()[0]):
                client = self.raw()
                self.assertEqual(client.reply()[0], 220)
                client.send(request)
                self.assertTrue(client.closed_by_server(10), "connection left open")

    def test_too_many_protocol_errors_close(self):
        client = self.raw(source="127.0.0.4")
        self.assertEqual(client.reply()[0], 220)
        client.send(b"BOGUS\r\n" * 12)
        replies = []
        try:
            while True:
                replies.append(client.reply_text(timeout=10))
        except (EOFError, OSError):
            pass
        self.assertTrue(any(r.startswith("421 ") for r in replies), replies)
        self.assertLessEqual(len(replies), 11, replies)
        self.assertTrue(all(r.startswith("5") for r in replies[:-1]), replies)

    def test_bad_base64_and_cancel(self):
        client = self.raw(source="127.0.0.5")
        self.assertEqual(client.reply()[0], 220)
        client.ehlo()
        client.starttls()
        client.ehlo()
        self.assertReply(client.cmd("AUTH PLAIN !!!not-base64!!!")[1][-1], "501 5.5.2")
        self.assertEqual(client.cmd("AUTH PLAIN")[0], 334)
        self.assertReply(client.cmd("%%%%")[1][-1], "501 5.5.2")
        self.assertEqual(client.cmd("AUTH LOGIN")[0], 334)
        self.assertReply(client.cmd("*")[1][-1], "501 5.0.0")
        self.assertEqual(client.cmd("AUTH PLAIN")[0], 334)
        self.assertReply(client.cmd("*")[1][-1], "501 5.0.0")
        code, lines = client.cmd(f"AUTH PLAIN {plain_token(h.USER, h.PASSWORD)}")
        self.assertEqual(code, 235, lines)

    def test_three_failed_auths_close(self):
        client = self.raw(source="127.0.0.6")
        self.assertEqual(client.reply()[0], 220)
        client.ehlo()
        client.starttls()
        client.ehlo()
        for password in WRONG_PASSWORDS[:2]:
            text = client.cmd(f"AUTH PLAIN {plain_token(h.USER, password)}")[1][-1]
            self.assertReply(text, "535 5.7.8")
        client.send(b"AUTH LOGIN\r\n")
        self.assertEqual(client.reply()[0], 334)
        self.assertEqual(client.cmd(base64.b64encode(h.USER.encode()))[0], 334)
        client.send(base64.b64encode(WRONG_PASSWORDS[2].encode()) + b"\r\n")
        replies = []
        try:
            while True:
                replies.append(client.reply_text(timeout=30))
        except (EOFError, OSError):
            pass
        self.assertTrue(any(r.startswith("421 4.7.0") for r in replies), replies)
        self.assertTrue(client.closed_by_server(5))
        # Unknown user: same reply as a wrong password.
        other = self.raw(source="127.0.0.7")
        self.assertEqual(other.reply()[0], 220)
        other.ehlo()
        other.starttls()
        other.ehlo()
        text = other.cmd(f"AUTH PLAIN {plain_token('nobody', 'whatever-pw')}")[1][-1]
        self.assertReply(text, "535 5.7.8")

    def test_zz_password_never_logged(self):
        # Runs last (alphabetical order): the log holds every exchange above.
        time.sleep(0.2)
        self.assertNoSecretsLogged(*WRONG_PASSWORDS, "whatever-pw",
                                   *(plain_token(h.USER, p) for p in WRONG_PASSWORDS),
                                   *(base64.b64encode(p.encode()).decode()
                                     for p in WRONG_PASSWORDS))
        self.assertTrue(self.server.log_entries(), "no JSON log lines at all")


if __name__ == "__main__":
    h.main()
