"""openssl s_client -starttls smtp as the real TLS peer, driven through stdin/stdout."""

import base64
import queue
import re
import subprocess
import threading
import uuid

import harness as h


class SClient:
    """`openssl s_client -starttls smtp -quiet`: s_client itself reads the greeting, sends EHLO
    and STARTTLS and does the handshake; we then speak SMTP through its stdin/stdout."""

    def __init__(self, server):
        self.proc = h.spawn(["openssl", "s_client", "-starttls", "smtp", "-connect",
                             f"{server.host}:{server.port}", "-quiet", "-nocommands",
                             "-servername", "localhost"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = b""
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        try:
            for raw in self.proc.stdout:
                self.lines.put(raw)
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def _read_stderr(self):
        try:
            self.stderr = self.proc.stderr.read()
        except (OSError, ValueError):
            pass

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def reply(self, timeout=h.IO_TIMEOUT):
        """Next complete reply as a list of raw lines (each ends in CRLF)."""
        lines = []
        while True:
            try:
                raw = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no reply within {timeout}s; got {lines!r}") from None
            if raw is None:
                raise AssertionError(f"s_client ended; partial {lines!r}; "
                                     f"stderr {self.stderr[-2000:]!r}")
            lines.append(raw)
            if len(raw) < 4 or raw[3:4] != b"-":
                return lines

    def cmd(self, line):
        self.send(line + b"\r\n")
        return self.reply()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        h.reap(self.proc)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                pipe.close()
            except OSError:
                pass


class SClientTest(h.ServerTestCase):

    def setUp(self):
        self.client = SClient(self.server)
        self.addCleanup(self.client.close)

    def assertOk(self, reply):
        self.assertEqual(len(reply), 1, reply)
        self.assertRegex(reply[0], rb"^250 2\.\d{1,3}\.\d{1,3} .*\r\n$")

    def auth(self):
        ehlo = self.client.cmd(b"EHLO s-client.example")
        self.assertTrue(ehlo[-1].startswith(b"250 "), ehlo)
        keywords = [l[4:].strip().upper() for l in ehlo]
        auth = [k.split() for k in keywords if k.startswith(b"AUTH ")]
        self.assertEqual(len(auth), 1, keywords)
        self.assertEqual(sorted(auth[0][1:]), [b"LOGIN", b"PLAIN"])
        self.assertNotIn(b"STARTTLS", keywords)
        token = base64.b64encode(f"\0{h.USER}\0{h.PASSWORD}".encode())
        self.assertEqual(self.client.cmd(b"AUTH PLAIN " + token)[-1][:9], b"235 2.7.0")

    def test_lockstep_dialog(self):
        self.auth()
        token = uuid.uuid4().hex.encode()
        msg = h.make_message("s_client", [b"line one", b".dotted", b"", token])
        wire = msg.replace(b"\r\n.", b"\r\n..")
        self.assertOk(self.client.cmd(b"MAIL FROM:<alice@example.com>"))
        self.assertOk(self.client.cmd(b"RCPT TO:<x@example.net>"))
        self.assertTrue(self.client.cmd(b"DATA")[-1].startswith(b"354 "))
        self.client.send(wire + b".\r\n")
        reply = self.client.reply()
        self.assertEqual(len(reply), 1)
        m = re.match(rb"^250 2\.0\.0 Ok: queued as ([A-Za-z0-9]{20})\r\n$", reply[0])
        self.assertIsNotNone(m, reply)
        self.assertTrue(self.client.cmd(b"QUIT")[-1].startswith(b"221 2.0.0"))
        self.assertIsNone(self.client.lines.get(timeout=h.IO_TIMEOUT), "connection not closed")
        qid = m.group(1).decode()
        self.assertEqual(self.server.store().find(token), [qid])
        h.check_stored(self.server.store().content(qid), msg)

    def test_pipelined_dialog(self):
        self.auth()
        msg = h.make_message("pipelined", [b"pipelined body", b"..two dots"])
        # RFC 2920: MAIL, RCPT and DATA in one write; then the content, the dot and QUIT
        # in one write ("Pipelined commands after the final dot work").
        self.client.send(b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<a@example.net>\r\n"
                         b"RCPT TO:<b@example.net>\r\nDATA\r\n")
        for _ in range(3):
            self.assertOk(self.client.reply())
        self.assertTrue(self.client.reply()[-1].startswith(b"354 "))
        self.client.send(msg.replace(b"\r\n.", b"\r\n..") + b".\r\nNOOP\r\nQUIT\r\n")
        reply = self.client.reply()
        m = re.match(rb"^250 2\.0\.0 Ok: queued as ([A-Za-z0-9]{20})\r\n$", reply[0])
        self.assertIsNotNone(m, reply)
        self.assertTrue(self.client.reply()[-1].startswith(b"250 "))
        self.assertTrue(self.client.reply()[-1].startswith(b"221 "))
        qid = m.group(1).decode()
        stored = self.server.store().message(qid)
        self.assertEqual([r["address"] for r in stored["recipients"]],
                         ["a@example.net", "b@example.net"])
        h.check_stored(stored["content"], msg)


if __name__ == "__main__":
    h.main()
