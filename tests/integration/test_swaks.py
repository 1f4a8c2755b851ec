"""swaks as the real client: STARTTLS + AUTH PLAIN/LOGIN, stored bytes, wrong password."""

import re
import shutil
import uuid

import harness as h


def swaks(server, *extra, password=h.PASSWORD, mechanism="PLAIN"):
    args = ["swaks", "--server", f"{server.host}:{server.port}", "--tls",
            "--auth", mechanism, "--auth-user", h.USER, "--auth-password", password,
            "--from", h.SENDER, "--to", "x@example.net", "--timeout", "30", *extra]
    rc, out, err = h.run_tool(args, timeout=120)
    return rc, out.decode("utf-8", "replace") + err.decode("utf-8", "replace")


def sent_message(transcript):
    """The message swaks sent, rebuilt from its ' ~> ' lines between DATA's 354 and the dot,
    dot-unstuffed, with CRLF line ends."""
    lines = transcript.splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"^<~ +354", l))
    body = []
    for line in lines[start + 1:]:
        m = re.match(r"^ ~> (.*)$", line) or re.match(r"^ ~> ?$", line)
        if m is None:
            break
        text = m.group(1) if m.groups() else ""
        if text == ".":
            break
        body.append(text[1:] if text.startswith(".") else text)
    return ("\r\n".join(body) + "\r\n").encode()


class SwaksTest(h.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        if shutil.which("swaks") is None:
            raise RuntimeError("swaks is not installed")
        super().setUpClass()

    def setUp(self):
        rc, out, _ = h.run_tool(["swaks", "--support"])
        self.assertIn(b"TLS supported", out,
                      "swaks cannot do TLS here (Debian package libnet-ssleay-perl is missing)")

    def test_submit_plain_and_login(self):
        for mechanism in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mechanism):
                token = uuid.uuid4().hex
                rc, transcript = swaks(self.server, "--header", f"X-Token: {token}",
                                       "--body", f"swaks {mechanism} body\n.dot line\n{token}",
                                       mechanism=mechanism)
                self.assertEqual(rc, 0, transcript)
                self.assertRegex(transcript, r"(?m)^ -> STARTTLS\s*\n<-  220 ")
                self.assertIn("=== TLS started", transcript)
                self.assertRegex(transcript, r"(?m)^ ~> AUTH ")           # AUTH inside TLS
                self.assertRegex(transcript, r"(?m)^<~  235 2\.7\.0")
                m = re.search(r"<~ +250 2\.0\.0 Ok: queued as (\S+)\s*$", transcript, re.M)
                self.assertIsNotNone(m, transcript)
                qid = m.group(1)
                self.assertRegex(qid, h.QUEUE_ID_RE)
                self.assertEqual(self.server.store().find(token.encode()), [qid])
                stored = self.server.store().message(qid)
                self.assertEqual(stored["mail_from"], h.SENDER)
                self.assertEqual([r["address"] for r in stored["recipients"]], ["x@example.net"])
                h.check_stored(stored["content"], sent_message(transcript))

    def test_wrong_password_fails_with_535(self):
        before = self.server.store().count()
        for mechanism in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mechanism):
                rc, transcript = swaks(self.server, password="wrong-password",
                                       mechanism=mechanism)
                self.assertNotEqual(rc, 0, transcript)
                self.assertRegex(transcript, r"<~\* +535 5\.7\.8")
                self.assertNotRegex(transcript, r"queued as")
        self.assertEqual(self.server.store().count(), before)
        self.assertNoSecretsLogged("wrong-password")


if __name__ == "__main__":
    h.main()
