"""Bounces (DSNs) end to end: expiry after the configured lifetime gives exactly one DSN, no
DSN to the null sender, and a DSN never bounces. Separate from test_delivery.py because the
shortest lifetime postern accepts decides how long it runs."""

import sys
import time

import harness as h
import upstreams as up
from test_delivery import FAST, DeliveryCase, send, store_dsns, token, wait_states


class BounceTest(DeliveryCase):

    def expiring_postern(self, fault):
        """A postern with the shortest lifetime it accepts: 10 s, else 1 min (reported)."""
        for lifetime in ("10s", "1m"):
            server = h.Server(extra_env=up.postern_env(fault.port, lifetime=lifetime, **FAST))
            self.addCleanup(server.cleanup)
            try:
                server.start()
            except h.ServerExited as exc:
                if "lifetime" in str(exc).lower() and lifetime == "10s":
                    print(f"\n[delivery] lifetime 10s refused, using 1m: {str(exc)[-200:]}",
                          file=sys.stderr)
                    continue
                raise
            self.addCleanup(self.assertCleanStop, server)
            return server, 10 if lifetime == "10s" else 60

    def test_expiry_one_dsn_and_none_for_null_sender(self):
        fault = self.fault(up.Scenario(rcpt_replies={
            "slowpoke@example.net": "451 4.3.0 try again",
            "gone@example.net": "550 5.1.1 gone",
            "stuck@example.net": "451 4.3.0 later"}))
        server, lifetime = self.expiring_postern(fault)
        tok = token()
        qid = send(server, ["slowpoke@example.net"], h.make_message(f"expire {tok}", [tok]))
        ntok = token()
        nqid = send(server, ["gone@example.net", "stuck@example.net"],
                    h.make_message(f"nullsender {ntok}", [ntok]), sender="")
        rows = wait_states(server, qid, {"slowpoke@example.net": "failed"}, lifetime + 30)
        self.assertEqual(rows["slowpoke@example.net"]["state"], "failed", rows)
        self.assertGreaterEqual(rows["slowpoke@example.net"]["attempts"], 2, rows)
        dsn = self.assertOneDsn(fault, server, tok, ["slowpoke@example.net"], settle=4.0)
        self.assertRegex(dsn.content.decode("utf-8", "replace"), r"Status: [45]\.\d+\.\d+")
        # The null-sender message failed too (one recipient at once, one by expiry): no DSN.
        rows = wait_states(server, nqid, {"gone@example.net": "failed",
                                          "stuck@example.net": "failed"}, 20)
        self.assertEqual({r["state"] for r in rows.values()}, {"failed"}, rows)
        time.sleep(2.0)
        null_msgs = [m["queue_id"] for m in server.store().all_messages() if m["mail_from"] == ""]
        self.assertEqual(sorted(null_msgs), sorted([nqid] + [m["queue_id"] for m in
                                                             store_dsns(server, tok)]),
                         "a DSN to <> was queued")
        self.assertEqual([t for t in fault.null_sender_transactions()
                          if ntok.encode() in t.content], [])

    def test_a_dsn_never_bounces(self):
        sender = "bouncy@example.org"
        fault = self.fault(up.Scenario(rcpt_replies={"bad@example.net": "550 5.1.1 no",
                                                     sender: "550 5.1.1 sender gone too"}))
        server = self.postern(up.postern_env(fault.port, **FAST))
        tok = token()
        qid = send(server, ["bad@example.net"], h.make_message(f"dsnbounce {tok}", [tok],
                                                                sender=sender), sender=sender)
        wait_states(server, qid, {"bad@example.net": "failed"})
        dsns = up.wait_for(lambda: [m for m in store_dsns(server, tok)
                                    if {r["state"] for r in m["recipients"]} == {"failed"}], 30)
        self.assertTrue(dsns, "the DSN to the vanished sender did not end failed")
        time.sleep(3.0)
        null_msgs = [m for m in server.store().all_messages() if m["mail_from"] == ""]
        self.assertEqual(len(null_msgs), 1, "a DSN about a DSN was queued")
        self.assertEqual(fault.null_sender_transactions(), [])



if __name__ == "__main__":
    h.main()
