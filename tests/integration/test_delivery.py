"""Delivery end to end: smtplib -> `postern serve` -> a real upstream (aiosmtpd, Postfix, or the
scripted fault server of upstreams.py). Checks what the upstream received (bytes, envelope,
TLS, AUTH, connections) and the end state in the store and the log."""

import re
import time
import unittest
import uuid

import harness as h
import upstreams as up

DELIVERY_TIMEOUT = 60.0
# Fast scheduler for tests; the default poll interval is 1 s and the retry schedule minutes.
FAST = {"poll_interval": "100ms", "retry_schedule": "1s", "retry_jitter": "0"}


def token():
    return uuid.uuid4().hex


def message_id_of(msg):
    for line in msg.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode()
    return None


def send(server, rcpts, msg, sender=h.SENDER):
    """Submits one message on its own session; returns the queue id."""
    with h.smtp_session(server) as smtp:
        code, text, qid = h.submit(smtp, sender, rcpts, msg)
    assert code == 250 and qid, (code, text)
    return qid


def recipients(server, qid):
    msg = server.store().message(qid)
    return {} if msg is None else {r["address"]: r for r in msg["recipients"]}


def wait_states(server, qid, want, timeout=DELIVERY_TIMEOUT):
    """Waits until every recipient in `want` ({address: state or tuple of states}) is in its
    state; returns the recipient rows (or the last rows seen, for the assertion message)."""
    def ok():
        rows = recipients(server, qid)
        return all(a in rows and rows[a]["state"] in
                   (s if isinstance(s, tuple) else (s,)) for a, s in want.items())
    up.wait_for(ok, timeout, 0.1)
    return recipients(server, qid)


def store_dsns(server, needle):
    """DSN messages in the store (null sender) whose content contains `needle`."""
    return [m for m in server.store().all_messages()
            if m["mail_from"] == "" and needle.encode() in m["content"]
            and (m.get("flags", 0) & 4 or b"delivery-status" in m["content"])]


def log_lines(server, *words):
    """Log lines containing every word (case-insensitive)."""
    words = [w.lower() for w in words]
    return [l for l in server.log_text().splitlines() if all(w in l.lower() for w in words)]


def log_has_any(server, *alternatives):
    """True if some log line contains one of `alternatives` (each a str or a tuple of words)."""
    for alt in alternatives:
        if log_lines(server, *((alt,) if isinstance(alt, str) else alt)):
            return True
    return False


class DeliveryCase(unittest.TestCase):
    """Helpers: start servers with cleanups, wait for DSNs."""

    def postern(self, env):
        server = h.Server(extra_env=env)
        self.addCleanup(server.cleanup)
        server.start()
        self.addCleanup(self.assertCleanStop, server)   # LIFO: runs before cleanup
        return server

    def assertCleanStop(self, server):
        """SIGTERM: exit status 0 and no sanitizer report (leaks are reported at exit)."""
        if server.proc is None:
            return
        rc = server.stop()
        self.assertNoSanitizerReport(server)
        self.assertEqual(rc, 0, "postern did not exit 0 on SIGTERM:\n" + server.log_text()[-2000:])

    def assertNoSanitizerReport(self, server):
        text = server.log_text()
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
            idx = text.find(marker)
            self.assertEqual(idx, -1, f"sanitizer report in postern's output:\n"
                                      f"{text[max(0, idx - 200):idx + 4000]}")

    def fault(self, *scenarios, **kw):
        f = up.FaultUpstream(*scenarios, **kw)
        self.addCleanup(f.stop)
        return f

    def aiosmtpd(self, **kw):
        a = up.AiosmtpdUpstream(**kw)
        self.addCleanup(a.stop)
        return a

    def assertNoSecrets(self, server):
        text = server.log_text()
        self.assertNotIn(up.UP_PASSWORD, text, "the upstream password appears in the log")
        self.assertNotIn(h.PASSWORD, text)

    def assertOneDsn(self, upstream, server, needle, failed, not_failed=(), settle=3.0):
        """Exactly one DSN (MAIL FROM:<>, to the sender) about `needle` reaches the upstream
        and stays the only one; it names every address in `failed` and none in `not_failed`."""
        got = up.wait_for(lambda: [t for t in upstream.null_sender_transactions()
                                   if needle.encode() in t.content], DELIVERY_TIMEOUT)
        self.assertTrue(got, "no DSN with MAIL FROM:<> reached the upstream; log:\n"
                        + server.log_text()[-3000:])
        time.sleep(settle)
        dsns = [t for t in upstream.null_sender_transactions() if needle.encode() in t.content]
        self.assertEqual(len(dsns), 1, f"expected exactly one DSN, got {len(dsns)}")
        dsn = dsns[0]
        self.assertEqual(dsn.rcpt_tos, [h.SENDER])
        text = dsn.content.decode("utf-8", "replace")
        self.assertRegex(text, r"(?i)content-type:\s*multipart/report;[^\r\n]*"
                               r"(\r\n\s+[^\r\n]*)*report-type=\"?delivery-status")
        for addr in failed:
            self.assertRegex(text, rf"(?i)Final-Recipient:\s*rfc822;\s*{re.escape(addr)}")
        for addr in not_failed:
            self.assertNotRegex(text, rf"(?i)Final-Recipient:\s*rfc822;\s*{re.escape(addr)}")
        self.assertIn("Action: failed", text)
        self.assertLessEqual(len(store_dsns(server, needle)), 1, "more than one DSN stored")
        return dsn


# --- end to end with aiosmtpd -----------------------------------------------------------------

class EndToEndTest(DeliveryCase):

    @classmethod
    def setUpClass(cls):
        cls.up = up.AiosmtpdUpstream()
        cls.addClassCleanup(cls.up.stop)
        cls.server = h.Server(extra_env=up.postern_env(cls.up.port, **FAST))
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()

    def delivered(self, tok, count=1):
        self.assertTrue(self.up.wait_transactions(tok, count, DELIVERY_TIMEOUT),
                        f"{tok} not delivered; log:\n{self.server.log_text()[-3000:]}")
        return self.up.transactions_with(tok)

    def test_byte_identical_with_received_header_tls_and_plain(self):
        tok = token()
        msg = h.make_message(f"e2e {tok}", ["Hello upstream.", tok, ".a leading dot", ".."])
        qid = send(self.server, ["bob@example.net", "carol@example.net"], msg)
        txs = self.delivered(tok)
        time.sleep(0.5)
        txs = self.up.transactions_with(tok)
        got = sorted(r for t in txs for r in t.rcpt_tos)
        self.assertEqual(got, ["bob@example.net", "carol@example.net"], "each recipient once")
        for tx in txs:
            # The original had Message-ID and Date: only a Received header is added.
            received, added = h.check_stored(tx.content, msg)
            self.assertEqual(added, [])
            self.assertRegex(received, rb"^Received: ")
            self.assertEqual(tx.mail_from, h.SENDER)
            self.assertTrue(tx.tls, "delivered without TLS")
            conn = self.up.connections[tx.conn]
            self.assertTrue(conn.tls)
            self.assertEqual([(a[0], a[1], a[3]) for a in conn.auth],
                             [("PLAIN", up.UP_USER, True)], "AUTH PLAIN once per connection")
        rows = wait_states(self.server, qid, {"bob@example.net": "delivered",
                                              "carol@example.net": "delivered"})
        self.assertEqual({r["state"] for r in rows.values()}, {"delivered"}, rows)
        self.assertTrue(all(r["last_reply"].startswith("250") for r in rows.values()), rows)

    def test_added_headers_equal_the_stored_ones(self):
        tok = token()
        msg = h.make_message(f"noid {tok}", [tok], message_id=False, date=False)
        qid = send(self.server, ["dave@example.net"], msg)
        (tx,) = self.delivered(tok)
        _, added = h.check_stored(tx.content, msg)
        self.assertEqual(sorted(l.split(b":")[0].lower() for l in added),
                         [b"date", b"message-id"])
        stored = self.server.store().content(qid)
        if stored is not None:  # delivered messages may be purged
            self.assertEqual(tx.content, stored, "relayed bytes differ from the stored ones")

    def test_8bitmime_passed_on(self):
        tok = token()
        msg = h.make_message(f"8bit {tok}", [tok, "K\u00f6ln \u65e5\u672c".encode()],
                             extra_headers=["MIME-Version: 1.0",
                                            "Content-Type: text/plain; charset=utf-8",
                                            "Content-Transfer-Encoding: 8bit"])
        with h.smtp_session(self.server) as smtp:
            code, text, _ = h.submit(smtp, h.SENDER, ["erin@example.net"], msg,
                                     ["BODY=8BITMIME"])
        self.assertEqual(code, 250, text)
        (tx,) = self.delivered(tok)
        h.check_stored(tx.content, msg)
        self.assertIn("BODY=8BITMIME", [o.upper() for o in tx.mail_options],
                      "RFC 6152: an 8-bit body must be relayed with BODY=8BITMIME")

    def test_zz_no_secrets_in_log(self):
        self.assertNoSecrets(self.server)

    def test_zz_still_running_then_clean_stop(self):
        self.assertTrue(self.server.running(), "postern exited during the tests")
        self.assertCleanStop(self.server)


class ConnectionReuseTest(DeliveryCase):

    def test_queued_messages_share_connections(self):
        upstream = self.aiosmtpd()
        upstream.gate.clear()          # connections wait before their greeting
        server = self.postern(up.postern_env(upstream.port, max_connections=1, **FAST))
        tokens = []
        with h.smtp_session(server) as smtp:
            for i in range(6):
                tok = token()
                tokens.append(tok)
                code, text, _ = h.submit(smtp, h.SENDER, [f"reuse{i}@example.net"],
                                         h.make_message(f"reuse {tok}", [tok]))
                self.assertEqual(code, 250, text)
        time.sleep(1.0)                # the scheduler has seen all six by now
        upstream.gate.set()
        for tok in tokens:
            self.assertTrue(upstream.wait_transactions(tok, 1, DELIVERY_TIMEOUT),
                            server.log_text()[-3000:])
        conns = upstream.connections
        per_conn = {}
        for tx in upstream.transactions:
            per_conn[tx.conn] = per_conn.get(tx.conn, 0) + 1
        self.assertLess(len(conns), len(tokens),
                        f"{len(tokens)} messages used {len(conns)} connections")
        self.assertGreaterEqual(max(per_conn.values()), 2, "no connection carried 2 messages")
        for c in conns:
            self.assertLessEqual(len(c.auth), 1, "AUTH more than once on a connection")
        self.assertEqual(sum(len(c.auth) for c in conns if per_conn.get(c.index)),
                         len(per_conn), "one AUTH per connection used, not per message")


class PostfixUpstreamTest(DeliveryCase):

    def test_delivered_to_postfix_smtpd(self):
        pf = up.PostfixUpstream()
        self.addCleanup(pf.stop)
        server = self.postern(up.postern_env(pf.port, user=pf.user, password=pf.password,
                                             **FAST))
        tok = token()
        msg = h.make_message(f"postfix {tok}", [tok])
        mid = message_id_of(msg)
        qid = send(server, ["frank@example.net"], msg)
        found = up.wait_for(lambda: [d for d in pf.delivered(mid) if d[1] and d[2]],
                            DELIVERY_TIMEOUT)
        self.assertTrue(found, "Postfix did not get it; maillog:\n" + pf.maillog()[-3000:]
                        + "\npostern log:\n" + server.log_text()[-3000:])
        self.assertEqual(len(found), 1, "delivered more than once")
        self.assertRegex(found[0][1][0], r"sasl_method=(PLAIN|LOGIN), sasl_username=relay")
        rows = wait_states(server, qid, {"frank@example.net": "delivered"})
        self.assertEqual(rows["frank@example.net"]["state"], "delivered", rows)
        self.assertNoSecrets(server)


# --- capture mode and start-up policy ---------------------------------------------------------

class CaptureModeTest(DeliveryCase):

    def test_default_is_capture_and_nothing_leaves(self):
        server = self.postern({})
        self.assertTrue(log_has_any(server, ("capture", "leave"), ("capture", "not deliver"),
                                    ("capture", "no provider"), ("capture", "local")),
                        "the log does not say that mail stays on the machine:\n"
                        + server.log_text()[-2000:])
        tok = token()
        msg = h.make_message(f"capture {tok}", [tok])
        qid = send(server, ["gina@example.net"], msg)
        env = server.env()

        def listed():
            rc, out, err = h.run_tool([h.postern_bin(), "capture", "ls"], env=env)
            return (rc, out, err) if rc == 0 and qid.encode() in out else None
        res = up.wait_for(listed, 30, 0.5)
        if res is None:
            rc, out, err = h.run_tool([h.postern_bin(), "capture", "ls"], env=env)
            self.fail(f"`postern capture ls` rc={rc} does not list {qid}: {out!r} {err!r}")
        rc, out, err = h.run_tool([h.postern_bin(), "capture", "show", qid], env=env)
        self.assertEqual(rc, 0, err)
        self.assertIn(tok.encode(), out)
        self.assertIn(msg.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n").strip(),
                      out.replace(b"\r\n", b"\n"))
        rows = recipients(server, qid)
        self.assertNotIn("failed", {r["state"] for r in rows.values()}, rows)


class PortPolicyTest(unittest.TestCase):

    def run_serve(self, env, timeout=60):
        server = h.Server(extra_env=env)
        self.addCleanup(server.cleanup)
        return h.run_tool([h.postern_bin(), "serve"], env=server.env(), timeout=timeout)

    def test_ports_25_and_465_refused_at_start(self):
        cases = [("custom", "smtp.example.com", "25"), ("custom", "smtp.example.com", "465"),
                 ("gmail", "", "465"), ("sendgrid", "", "25"), ("custom", "192.0.2.10", "25")]
        for provider, host, port in cases:
            with self.subTest(provider=provider, host=host, port=port):
                env = up.postern_env(port, host=host or "x", provider=provider, ca=False)
                if not host:
                    del env["POSTERN_UPSTREAM_HOST"]
                rc, out, err = self.run_serve(env)
                text = err.decode("utf-8", "replace")
                self.assertEqual(rc, 2, text[-2000:])
                self.assertIn(port, text)
                self.assertRegex(text, r"(?i)platform")
                self.assertRegex(text, r"(?i)block")
                self.assertRegex(text, r"587")
                self.assertRegex(text, r"STARTTLS")

    def test_other_remote_ports_and_plaintext_refused(self):
        for port, tls in (("2525", "required"), ("587", "none")):
            with self.subTest(port=port, tls=tls):
                env = up.postern_env(port, host="smtp.example.com", tls=tls, ca=False)
                rc, out, err = self.run_serve(env)
                self.assertEqual(rc, 2, err.decode("utf-8", "replace")[-2000:])

    def test_loopback_may_use_any_port(self):
        server = h.Server(extra_env=up.postern_env(465, host="127.0.0.1"))
        self.addCleanup(server.cleanup)
        server.start()  # raises if it exits
        self.assertTrue(server.running())


# --- TLS towards the upstream -----------------------------------------------------------------

class UpstreamTlsTest(DeliveryCase):

    def assertNothingSent(self, fault, server):
        conns = up.wait_for(lambda: [c for c in fault.connections if c.closed_at], 30)
        self.assertTrue(conns, "postern never connected; log:\n" + server.log_text()[-2000:])
        time.sleep(1.0)
        for c in fault.connections:
            self.assertEqual(c.auth, [], f"credentials sent: {c}")
            self.assertNotIn("MAIL", c.commands, f"MAIL sent: {c}")
            self.assertFalse(c.plaintext_auth_or_mail)
        self.assertEqual(fault.transactions, [])

    def undelivered(self, server, qid, addr):
        rows = recipients(server, qid)
        self.assertIn(rows[addr]["state"], ("queued", "held"), rows)

    def test_no_starttls_offered(self):
        fault = self.fault(up.Scenario(starttls=False))
        server = self.postern(up.postern_env(fault.port, **FAST))
        qid = send(server, ["hank@example.net"], h.make_message("nostarttls", ["x"]))
        self.assertNothingSent(fault, server)
        self.undelivered(server, qid, "hank@example.net")
        self.assertTrue(log_has_any(server, "starttls"), server.log_text()[-2000:])

    def test_certificate_not_for_this_host(self):
        for cert in ("wrong", "cn_only"):
            with self.subTest(cert=cert):
                fault = self.fault(up.Scenario(cert=cert))
                server = self.postern(up.postern_env(fault.port, **FAST))
                qid = send(server, ["ida@example.net"], h.make_message(f"cert {cert}", ["x"]))
                self.assertNothingSent(fault, server)
                self.assertTrue(any(c.handshake_failed for c in fault.connections),
                                "the handshake completed with a certificate for another host")
                self.undelivered(server, qid, "ida@example.net")
                self.assertTrue(log_has_any(server, "certificate", "verif", "hostname"),
                                server.log_text()[-2000:])
                self.assertCleanStop(server)

    def test_untrusted_ca(self):
        fault = self.fault()
        server = self.postern(up.postern_env(fault.port, ca=False, **FAST))
        qid = send(server, ["jack@example.net"], h.make_message("untrusted", ["x"]))
        self.assertNothingSent(fault, server)
        self.undelivered(server, qid, "jack@example.net")

    def test_ip_address_host_verified_against_ip_san(self):
        upstream = self.aiosmtpd()
        server = self.postern(up.postern_env(upstream.port, host="127.0.0.1", **FAST))
        tok = token()
        send(server, ["kim@example.net"], h.make_message(f"ip {tok}", [tok]))
        self.assertTrue(upstream.wait_transactions(tok, 1, DELIVERY_TIMEOUT),
                        server.log_text()[-3000:])

    def test_bytes_injected_after_starttls_are_not_replies(self):
        fault = self.fault(up.Scenario(inject_after_starttls=b"250 fake\r\n"))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["lee@example.net"], h.make_message(f"inject {tok}", [tok]))
        got = fault.wait_transactions(tok, 1, DELIVERY_TIMEOUT)
        for c in fault.connections:
            self.assertEqual(c.out_of_turn, [], "postern sent a command before the real reply "
                                                "(it took injected bytes as a reply)")
        self.assertTrue(got, "not delivered; log:\n" + server.log_text()[-3000:])
        self.assertEqual(len(fault.transactions_with(tok)), 1)
        self.assertEqual(wait_states(server, qid, {"lee@example.net": "delivered"})
                         ["lee@example.net"]["state"], "delivered")


# --- faults and reply classification ----------------------------------------------------------

class FaultTest(DeliveryCase):

    def test_greeting_421_defers(self):
        fault = self.fault(up.Scenario(greeting="421 4.7.0 Try again later"))
        server = self.postern(up.postern_env(fault.port, **FAST))
        qid = send(server, ["mia@example.net"], h.make_message("greet421", ["x"]))
        self.assertTrue(up.wait_for(lambda: fault.connections, 30))
        time.sleep(2.0)
        rows = recipients(server, qid)
        self.assertEqual(rows["mia@example.net"]["state"], "queued", rows)
        self.assertEqual(fault.transactions, [])
        self.assertEqual(store_dsns(server, qid), [])
        self.assertLessEqual(len(fault.connections), 2, "no back-off after 421 at greeting")

    def test_rcpt_4xx_deferred_with_attempts_and_next_attempt(self):
        fault = self.fault(up.Scenario(rcpt_replies={"later@example.net":
                                                     "451 4.3.0 Mailbox busy, try later"}))
        env = up.postern_env(fault.port, **dict(FAST, retry_schedule="1h"))
        server = self.postern(env)
        qid = send(server, ["later@example.net"], h.make_message("rcpt451", ["x"]))
        up.wait_for(lambda: recipients(server, qid)["later@example.net"]["attempts"] >= 1, 30)
        row = recipients(server, qid)["later@example.net"]
        self.assertEqual(row["state"], "queued", row)
        self.assertGreaterEqual(row["attempts"], 1, row)
        self.assertTrue(row["last_reply"].startswith("451 4.3.0"), row)
        delay = (row["next_attempt_at"] - row["updated_at"]) / 1000.0
        self.assertTrue(3000 <= delay <= 4000, f"next attempt in {delay} s, schedule says 1h")
        self.assertIsNone(row["lease_owner"])
        time.sleep(1.0)
        self.assertEqual(len([c for c in fault.connections if "RCPT" in c.commands]), 1)
        rc, out, err = h.run_tool([h.postern_bin(), "queue", "show", qid], env=server.env())
        self.assertEqual(rc, 0, err)
        self.assertIn(b"451 4.3.0", out)
        self.assertIn(b"later@example.net", out)

    def test_finished_message_leaves_the_store_after_keep_done(self):
        fault = self.fault(up.Scenario(rcpt_replies={"later@example.net":
                                                     "451 4.3.0 Mailbox busy, try later"}))
        env = up.postern_env(fault.port, **dict(FAST, retry_schedule="1h", keep_done="1s"))
        server = self.postern(env)
        tok = token()
        done = send(server, ["ok@example.net"], h.make_message(f"done {tok}", [tok]))
        pending = send(server, ["later@example.net"], h.make_message("pending", ["y"]))
        up.wait_for(lambda: any(tok.encode() in t.content for t in fault.transactions), 30)
        # Delivered, then kept for keep_done after the outcome; swept within about a second more.
        up.wait_for(lambda: recipients(server, done) == {}, 15, 0.1)
        rc, out, err = h.run_tool([h.postern_bin(), "queue", "show", done], env=server.env())
        self.assertNotEqual(rc, 0, out)
        self.assertIn(b"no such message", err + out)
        rows = recipients(server, pending)
        self.assertEqual(rows["later@example.net"]["state"], "queued", rows)

    def test_rcpt_5xx_fails_with_one_dsn(self):
        fault = self.fault(up.Scenario(rcpt_replies={"nobody@example.net":
                                                     "550 5.1.1 No such user"}))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["nobody@example.net"], h.make_message(f"rcpt550 {tok}", [tok]))
        rows = wait_states(server, qid, {"nobody@example.net": "failed"})
        self.assertEqual(rows["nobody@example.net"]["state"], "failed", rows)
        self.assertTrue(rows["nobody@example.net"]["last_reply"].startswith("550 5.1.1"))
        dsn = self.assertOneDsn(fault, server, tok, ["nobody@example.net"])
        self.assertIn("5.1.1", dsn.content.decode("utf-8", "replace"))
        self.assertNotIn(b"\r\n\r\n" + tok.encode(), dsn.content, "DSN returned the body")

    def test_mixed_results_in_one_transaction(self):
        bad = {"bad@example.net": "550 5.1.1 No such user",
               "later@example.net": "452 4.2.2 Mailbox full"}
        fault = self.fault(up.Scenario(rcpt_replies=bad))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        rcpts = ["ok@example.net", "bad@example.net", "later@example.net"]
        qid = send(server, rcpts, h.make_message(f"mixed {tok}", [tok]))
        rows = wait_states(server, qid, {"ok@example.net": "delivered",
                                         "bad@example.net": "failed"})
        self.assertEqual([rows[a]["state"] for a in rcpts], ["delivered", "failed", "queued"],
                         rows)
        self.assertOneDsn(fault, server, tok, ["bad@example.net"],
                          ["ok@example.net", "later@example.net"])
        fault.set_scenarios(up.Scenario())  # the mailbox has room again
        rows = wait_states(server, qid, {"later@example.net": "delivered"})
        self.assertEqual(rows["later@example.net"]["state"], "delivered",
                         f"{rows['later@example.net']}\n{server.log_text()[-3000:]}")
        got = sorted(r for t in fault.transactions_with(tok) if t.mail_from for r in t.rcpt_tos)
        self.assertEqual(got, ["later@example.net", "ok@example.net"],
                         "a recipient was delivered twice or not at all")
        self.assertEqual(len([t for t in fault.null_sender_transactions()
                              if tok.encode() in t.content]), 1, "a second DSN")

    def test_disconnect_during_data_defers_then_delivers_once(self):
        fault = self.fault(up.Scenario(disconnect_during_data=True), up.Scenario())
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["nia@example.net"], h.make_message(f"dropdata {tok}", [tok]))
        self.assertTrue(fault.wait_transactions(tok, 1, DELIVERY_TIMEOUT),
                        server.log_text()[-3000:])
        rows = wait_states(server, qid, {"nia@example.net": "delivered"})
        self.assertEqual(rows["nia@example.net"]["state"], "delivered", rows)
        self.assertEqual(rows["nia@example.net"]["attempts"], 2, rows)
        time.sleep(1.0)
        self.assertEqual(len(fault.transactions_with(tok)), 1)

    def test_disconnect_after_final_dot_is_logged_ambiguous(self):
        fault = self.fault(up.Scenario(disconnect_after_dot=True), up.Scenario())
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["olga@example.net"], h.make_message(f"dropdot {tok}", [tok]))
        self.assertTrue(fault.wait_transactions(tok, 1, DELIVERY_TIMEOUT))
        self.assertTrue(up.wait_for(lambda: log_lines(server, "ambiguous"), 30),
                        "connection lost after the final dot not logged as ambiguous:\n"
                        + server.log_text()[-3000:])
        self.assertTrue(log_lines(server, "ambiguous", qid), "ambiguous line without queue id")
        rows = wait_states(server, qid, {"olga@example.net": "delivered"})
        self.assertEqual(rows["olga@example.net"]["state"], "delivered", rows)
        self.assertLessEqual(len(fault.transactions_with(tok)), 2)
        self.assertEqual(store_dsns(server, qid), [])

    def test_slow_replies_within_timeouts_still_deliver(self):
        steps = ("greeting", "ehlo", "auth", "mail", "rcpt", "data", "dot")
        fault = self.fault(up.Scenario(delay=1.5, delay_at=steps))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["pat@example.net"], h.make_message(f"slow {tok}", [tok]))
        self.assertTrue(fault.wait_transactions(tok, 1, DELIVERY_TIMEOUT))
        rows = wait_states(server, qid, {"pat@example.net": "delivered"})
        self.assertEqual(rows["pat@example.net"]["state"], "delivered", rows)
        self.assertEqual(len(fault.connections), 1, "a slow reply was treated as a failure")

    def test_replies_slower_than_the_timeout(self):
        key = next((k for k in ("command_timeout", "reply_timeout", "upstream_timeout")
                    if f"delivery.{k}" in (h.REPO / "docs/config.md").read_text()), None)
        if key is None:
            self.skipTest("no [delivery] timeout key in docs/config.md: the RFC 5321 minimums "
                          "(5 min per command) do not fit the test budget")
        fault = self.fault(up.Scenario(delay=6.0, delay_at=("mail",)), up.Scenario())
        server = self.postern(up.postern_env(fault.port, **{key: "2s"}, **FAST))
        tok = token()
        qid = send(server, ["quinn@example.net"], h.make_message(f"timeout {tok}", [tok]))
        self.assertTrue(fault.wait_transactions(tok, 1, DELIVERY_TIMEOUT))
        self.assertTrue(log_has_any(server, "timeout", "timed out"))
        rows = wait_states(server, qid, {"quinn@example.net": "delivered"})
        self.assertEqual(rows["quinn@example.net"]["state"], "delivered", rows)

    def test_too_many_recipients_split(self):
        fault = self.fault(up.Scenario(max_rcpts=2))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        rcpts = [f"split{i}@example.net" for i in range(5)]
        qid = send(server, rcpts, h.make_message(f"split {tok}", [tok]))
        rows = wait_states(server, qid, {a: "delivered" for a in rcpts})
        self.assertEqual({r["state"] for r in rows.values()}, {"delivered"}, rows)
        got = sorted(r for t in fault.transactions_with(tok) for r in t.rcpt_tos)
        self.assertEqual(got, rcpts, "each recipient exactly once")
        self.assertGreaterEqual(len(fault.transactions_with(tok)), 3)
        self.assertEqual(fault.null_sender_transactions(), [])

    def test_auth_535_stops_the_route(self):
        fault = self.fault(up.Scenario(auth_reply="535 5.7.8 Authentication credentials invalid"))
        server = self.postern(up.postern_env(fault.port, **FAST))
        qids = [send(server, [f"auth{i}@example.net"], h.make_message(f"auth535 {i}", ["x"]))
                for i in range(3)]
        self.assertTrue(up.wait_for(lambda: fault.auth_attempts(), 30))
        time.sleep(4.0)   # several retry periods of the 1 s schedule
        self.assertEqual(len(fault.auth_attempts()), 1,
                         f"{len(fault.auth_attempts())} logins: AUTH retried per message")
        for qid in qids:
            self.assertEqual({r["state"] for r in recipients(server, qid).values()}, {"queued"})
            self.assertEqual(store_dsns(server, qid), [])
        self.assertTrue(log_has_any(server, "auth_broken", ("auth", "broken"), ("auth", "stop")),
                        server.log_text()[-3000:])
        self.assertNoSecrets(server)


# The rows of providers.md "Replies that do not mean what their first digit says".
# (provider, where the reply comes, reply, expected state, log words (any), DSN expected)
TABLE = [
    ("gmail", "dot", "550 5.4.5 Daily user sending limit exceeded", "queued", ("pause",), False),
    ("google-workspace", "dot", "550 5.7.1 Daily SMTP relay limit exceeded", "queued",
     ("pause",), False),
    ("google-workspace", "dot", "450 4.2.1 Peak SMTP relay limit exceeded", "queued",
     ("slow",), False),
    ("custom", "dot", "421 4.7.0 Try again later", "queued", ("back",), False),
    ("custom", "mail", "421 4.4.5 Server busy", "queued", ("back",), False),
    ("office365", "dot", "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
     "queued", ("concurrency",), False),
    ("office365", "dot", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceeded",
     "queued", ("pause",), False),
    ("office365", "mail", "550 5.2.252 SendAsDenied; sender throttled", "queued",
     ("pause", "stop"), False),
    ("ses", "dot", "454 Throttling failure: Maximum sending rate exceeded", "queued",
     ("slow",), False),
    ("ses", "dot", "454 Throttling failure: Daily message quota exceeded", "queued",
     ("pause",), False),
    ("sendgrid", "dot", "451 Authentication failed: Maximum credits exceeded", "queued",
     ("pause",), False),
    ("office365", "mail", "550 5.7.60 SMTP; Client does not have permissions to send as this "
     "sender", "failed", (), True),
    ("office365", "auth", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
     "is disabled for the Tenant", "queued", ("xoauth2",), False),
]


class ProviderReplyTableTest(DeliveryCase):

    def play(self, provider, where, reply):
        sc = up.Scenario()
        if where == "dot":
            sc.dot_reply = reply
        elif where == "mail":
            sc.mail_replies = {h.SENDER: reply}
        elif where == "auth":
            sc.auth_reply = reply
        # SendGrid's profile fixes the user name to the literal word "apikey".
        user = "apikey" if provider == "sendgrid" else up.UP_USER
        fault = up.FaultUpstream(sc, user=user)
        env = up.postern_env(fault.port, provider=provider, user=user, **FAST)
        if provider == "ses":
            env["POSTERN_SES_REGION"] = "eu-west-1"
        server = h.Server(extra_env=env)
        return fault, server

    def test_rows(self):
        for provider, where, reply, state, words, dsn in TABLE:
            with self.subTest(provider=provider, reply=reply):
                fault, server = self.play(provider, where, reply)
                try:
                    server.start()
                    tok = token()
                    qid = send(server, ["row@example.net"], h.make_message(f"row {tok}", [tok]))
                    def progressed():
                        row = recipients(server, qid)["row@example.net"]
                        if where == "auth":
                            return fault.auth_attempts()
                        return row["attempts"] or row["last_reply"] or row["state"] != "queued"
                    self.assertTrue(up.wait_for(progressed, 30), server.log_text()[-2000:])
                    if dsn:
                        self.assertOneDsn(fault, server, tok, ["row@example.net"])
                    else:
                        time.sleep(1.5)
                    row = recipients(server, qid)["row@example.net"]
                    self.assertEqual(row["state"], state, row)
                    if where != "auth":
                        self.assertTrue(row["last_reply"].startswith(reply.split()[0]), row)
                    if not dsn:
                        self.assertEqual([t for t in fault.null_sender_transactions()], [])
                        self.assertEqual(store_dsns(server, tok), [])
                    if provider == "office365":
                        self.assertTrue(all(a[0] == "LOGIN" for a in fault.auth_attempts()),
                                        "Office 365 takes LOGIN, not PLAIN")
                    if words:  # the route's reaction is logged (route_state / route_alert)
                        self.assertTrue(any(w in l.lower() for l in log_lines(server, '"route_')
                                            for w in words),
                                        f"log has none of {words}:\n{server.log_text()[-2000:]}")
                finally:
                    try:
                        self.assertCleanStop(server)
                    finally:
                        server.cleanup()
                        fault.stop()


if __name__ == "__main__":
    h.main()
