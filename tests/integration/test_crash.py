"""Crash safety ("nothing lost"): kill -9 the server at random moments while a client submits,
restart it on the same data dir, and check that every message that got 250 is stored intact
and that nothing in the store is half-written."""

import random
import smtplib
import threading
import time
import uuid

import harness as h

MIN_KILLS = 20
MAX_KILLS = 40
MIN_ACCEPTED_WHILE_KILLING = 5
TIME_BUDGET = 100.0  # seconds for the kill phase; the whole test stays under ~2 minutes


class Submitter(threading.Thread):
    """Submits messages one connection after another until stopped."""

    def __init__(self, server, rng):
        super().__init__(daemon=True)
        self.server = server
        self.rng = rng
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.attempts = {}   # token -> (bytes sent, recipients)
        self.accepted = {}   # queue id -> token
        self.errors = {}     # exception type name -> count

    def message(self, n):
        token = f"crash-{n}-{uuid.uuid4().hex}"
        size = self.rng.choice([1, 10, 100, 1000, 5000])  # lines of ~78 octets
        lines = [token] + [f"{token[:20]} line {i:06d} " + "z" * self.rng.randint(0, 50)
                           for i in range(size)]
        if n % 3 == 0:
            lines.insert(1, ".leading dot " + token)
        rcpts = [f"r{n}-{j}@example.net" for j in range(self.rng.randint(1, 3))]
        return token, h.make_message(token, lines), rcpts

    def run(self):
        n = 0
        while not self.stop.is_set():
            host, port = self.server.host, self.server.port
            if host is None or port is None:
                time.sleep(0.005)
                continue
            n += 1
            token, msg, rcpts = self.message(n)
            with self.lock:
                self.attempts[token] = (msg, rcpts)
            try:
                smtp = smtplib.SMTP(host, port, local_hostname="crash.example", timeout=10)
                try:
                    smtp.ehlo()
                    smtp.starttls(context=h.insecure_tls_context())
                    smtp.ehlo()
                    smtp.login(h.USER, h.PASSWORD)
                    code, text, qid = h.submit(smtp, h.SENDER, rcpts, msg)
                finally:
                    smtp.close()
                if code == 250:
                    assert qid is not None, text
                    with self.lock:
                        self.accepted[qid] = token
                else:
                    self.count_error(f"reply {code} {text}")
            except (OSError, smtplib.SMTPException, EOFError) as exc:
                self.count_error(type(exc).__name__)
                time.sleep(0.005)

    def count_error(self, key):
        with self.lock:
            self.errors[key] = self.errors.get(key, 0) + 1

    def n_accepted(self):
        with self.lock:
            return len(self.accepted)


class CrashTest(h.unittest.TestCase):

    def test_kill9_while_submitting(self):
        seed = int(time.time())
        rng = random.Random(seed)
        server = h.Server()
        self.addCleanup(server.cleanup)
        server.start()
        submitter = Submitter(server, random.Random(seed + 1))
        self.addCleanup(submitter.stop.set)
        submitter.start()

        kills, started = 0, time.monotonic()
        while kills < MAX_KILLS and time.monotonic() - started < TIME_BUDGET:
            if kills >= MIN_KILLS and submitter.n_accepted() >= MIN_ACCEPTED_WHILE_KILLING:
                break
            time.sleep(rng.uniform(0.05, 0.4))
            server.kill9()
            kills += 1
            server.start()   # same data dir; host/port are set again once it listens
        accepted_while_killing = submitter.n_accepted()

        # A calm phase: the server must still accept after all the crashes.
        calm_until = submitter.n_accepted() + 3
        deadline = time.monotonic() + 30
        while submitter.n_accepted() < calm_until and time.monotonic() < deadline:
            time.sleep(0.05)
        submitter.stop.set()
        submitter.join(30)
        self.assertFalse(submitter.is_alive())
        self.assertEqual(server.stop(), 0, "SIGTERM after the crash loop did not exit 0")

        info = (f"seed={seed} kills={kills} accepted={len(submitter.accepted)} "
                f"(while killing {accepted_while_killing}) attempts={len(submitter.attempts)} "
                f"client errors={submitter.errors}")
        print(info)
        self.assertGreaterEqual(kills, MIN_KILLS, info)
        self.assertGreaterEqual(len(submitter.accepted), calm_until, info)
        self.assertGreater(accepted_while_killing, 0, info)

        store = server.store()
        self.assertEqual(store.integrity(), "ok")
        stored = {m["queue_id"]: m for m in store.all_messages()}

        # 1. Every 250 is in the store, intact, with all its recipients.
        lost = sorted(qid for qid in submitter.accepted if qid not in stored)
        self.assertEqual(lost, [], f"{len(lost)} acknowledged messages lost ({info})")
        for qid, token in submitter.accepted.items():
            with self.subTest(accepted=qid):
                msg, rcpts = submitter.attempts[token]
                h.check_stored(stored[qid]["content"], msg)
                self.assertEqual([r["address"] for r in stored[qid]["recipients"]], rcpts)

        # 2. Nothing in the store is half-written: every stored message is one of our
        #    attempts, complete, with exactly its recipients; no attempt stored twice.
        seen = set()
        for qid, m in stored.items():
            with self.subTest(stored=qid):
                token = m["content"].split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode()
                self.assertIn(token, submitter.attempts, "stored message we never sent")
                self.assertNotIn(token, seen, "message stored twice")
                seen.add(token)
                msg, rcpts = submitter.attempts[token]
                h.check_stored(m["content"], msg)
                self.assertEqual([r["address"] for r in m["recipients"]], rcpts)
                # Queued, or already delivered into the capture mailbox (the default mode).
                self.assertTrue(all(r["state"] in ("queued", "delivered")
                                    for r in m["recipients"]))
                self.assertEqual(m["size"], len(m["content"]))


if __name__ == "__main__":
    h.main()
