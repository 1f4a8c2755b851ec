"""Replays the SMTP dialog transcripts of tests/dialogs/*.dialog (format: tests/dialogs/README.md)
against the real server over a real socket.

Over the socket the real account (alice / alice-secret) decides AUTH outcomes, so the
in-process hints `! auth ok ...` / `! auth fail` are ignored; dialogs with `! store` directives
(in-process store outcomes) are skipped. The server runs with the dialogs' configuration:
hostname postern.test and SIZE 10240."""

import re

import harness as h

DIALOG_DIR = h.REPO / "tests" / "dialogs"
DIALOG_ENV = {"POSTERN_HOSTNAME": "postern.test",
              "POSTERN_SUBMISSION_MAX_MESSAGE_SIZE": "10240"}
_ESCAPES = re.compile(rb"\\(x[0-9A-Fa-f]{2}|[rnt\\])")


def unescape(text):
    """`C~` payload: \\r \\n \\t \\\\ \\xHH escapes, everything else literal."""
    def repl(m):
        e = m.group(1)
        if e[:1] == b"x":
            return bytes([int(e[1:], 16)])
        return {b"r": b"\r", b"n": b"\n", b"t": b"\t", b"\\": b"\\"}[e]
    return _ESCAPES.sub(repl, text)


def parse(path):
    """List of steps: ("send", bytes) | ("expect", str) | ("expect_re", str) | ("tls",) |
    ("closed",) | ("store", ...) | ("hint", str)."""
    steps = []
    raw = path.read_bytes()
    for number, line in enumerate(raw.split(b"\n"), 1):
        line = line[:-1] if line.endswith(b"\r") else line
        if not line.strip() or line.startswith(b"#"):
            continue
        tag, rest = line[:2], line[2:]
        rest = rest[1:] if rest.startswith(b" ") else rest
        if tag == b"C:":
            steps.append(("send", rest + b"\r\n", number))
        elif tag == b"C~":
            steps.append(("send", unescape(rest), number))
        elif tag == b"S:":
            steps.append(("expect", rest.decode("utf-8"), number))
        elif tag == b"S~":
            steps.append(("expect_re", rest.decode("utf-8"), number))
        elif line.startswith(b"!"):
            words = line[1:].split()
            directive = words[0].decode() if words else ""
            if directive == "tls":
                steps.append(("tls", None, number))
            elif directive == "closed":
                steps.append(("closed", None, number))
            elif directive == "auth":
                steps.append(("hint", line.decode(), number))
            elif directive == "store":
                steps.append(("store", line.decode(), number))
            else:
                raise ValueError(f"{path.name}:{number}: unknown directive {line!r}")
        else:
            raise ValueError(f"{path.name}:{number}: unknown line {line[:40]!r}")
    return steps


class DialogTest(h.ServerTestCase):
    extra_env = DIALOG_ENV

    def replay(self, path, source):
        steps = parse(path)
        if any(kind == "store" for kind, _, _ in steps):
            self.skipTest("needs in-process store outcomes (! store)")
        client = h.RawClient(self.server.host, self.server.port, source=source)
        self.addCleanup(client.close)
        outgoing = b""
        closed = False
        for kind, arg, number in steps:
            where = f"{path.name}:{number}"
            self.assertFalse(closed and kind in ("send", "expect", "expect_re", "tls"),
                             f"{where}: step after ! closed")
            if kind == "send":
                outgoing += arg
                continue
            if outgoing:  # consecutive client lines go out in one write (pipelining)
                client.send(outgoing)
                outgoing = b""
            if kind == "expect":
                got = self.next_line(client, where)
                self.assertEqual(got, arg, where)
            elif kind == "expect_re":
                got = self.next_line(client, where)
                self.assertIsNotNone(re.fullmatch(arg, got), f"{where}: {got!r} !~ {arg!r}")
            elif kind == "tls":
                self.assertEqual(client.buf, b"", f"{where}: plaintext after the 220")
                client.wrap_tls()
            elif kind == "closed":
                extra = client.buf
                client.buf = b""
                self.assertEqual(extra, b"", f"{where}: unexpected bytes before close")
                self.assertTrue(client.closed_by_server(15), f"{where}: connection still open")
                closed = True
        if outgoing:
            client.send(outgoing)
        if not closed:  # no reply may be left unmatched
            self.assertEqual(client.pending(0.5), b"", f"{path.name}: unmatched reply bytes")

    def next_line(self, client, where):
        try:
            return client.line(timeout=30)
        except EOFError:
            self.fail(f"{where}: connection closed while a reply was expected")
        except OSError as exc:
            self.fail(f"{where}: no reply ({exc})")


def _add_tests():
    paths = sorted(DIALOG_DIR.glob("*.dialog"))
    for index, path in enumerate(paths):
        # One source address per dialog: the AUTH throttle is per client address.
        source = f"127.0.{1 + index // 250}.{1 + index % 250}"

        def test(self, path=path, source=source):
            self.replay(path, source)
        setattr(DialogTest, f"test_{path.stem}", test)
    if not paths:
        def test_dialogs_present(self):
            self.fail(f"no dialogs in {DIALOG_DIR}")
        DialogTest.test_dialogs_present = test_dialogs_present


_add_tests()

if __name__ == "__main__":
    h.main()
