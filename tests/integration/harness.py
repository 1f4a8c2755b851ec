"""Integration harness: runs the real `postern serve` binary and talks to it over loopback.

Standard library only (plus Debian's aiosmtpd where a test wants it). Run the tests with
/usr/bin/python3; the binary comes from $POSTERN_BIN (set by tests/integration/CMakeLists.txt),
else build/dev/src/cli/postern relative to the repository.

Every process started here is stopped by PID: explicitly (Server.stop / kill9), at interpreter
exit (atexit) and, should the test process itself be killed, by PR_SET_PDEATHSIG in the child.
"""

import atexit
import base64
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER = "alice"
PASSWORD = "alice-secret"
SENDERS = "alice@example.com,*@example.org"
SENDER = "alice@example.com"
QUEUE_ID_RE = re.compile(r"^[A-Za-z0-9]{20}$")
START_TIMEOUT = 60.0   # ASan builds start slowly on a busy 2-core machine
STOP_TIMEOUT = 20.0
IO_TIMEOUT = 30.0


def postern_bin():
    path = os.environ.get("POSTERN_BIN") or str(REPO / "build/dev/src/cli/postern")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"postern binary not found or not executable: {path}")
    return path


# --- process hygiene --------------------------------------------------------------------------

_live = {}  # pid -> Popen, every process we started and have not reaped yet
_live_lock = threading.Lock()


def _set_pdeathsig():
    # Runs in the child before exec: die with the test process even if it is SIGKILLed.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn(args, **kwargs):
    """subprocess.Popen that is tracked and killed at exit if still running."""
    proc = subprocess.Popen(args, preexec_fn=_set_pdeathsig, **kwargs)
    with _live_lock:
        _live[proc.pid] = proc
    return proc


def reap(proc, timeout=STOP_TIMEOUT):
    """Waits for proc (SIGTERM was sent or it ends by itself); SIGKILL after `timeout`."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with _live_lock:
        _live.pop(proc.pid, None)
    return proc.returncode


@atexit.register
def _kill_leftovers():
    with _live_lock:
        procs = list(_live.values())
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def run_tool(args, input_bytes=None, timeout=60, env=None):
    """Runs a short-lived tool (swaks, postern users ...) with a hard timeout."""
    proc = spawn(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 env=env)
    try:
        out, err = proc.communicate(input_bytes, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
    reap(proc)
    return proc.returncode, out, err


# --- the server -------------------------------------------------------------------------------

def parse_log_line(line):
    """A JSON log line as a dict with the nested "fields" merged in; None if not JSON."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    fields = obj.get("fields")
    if isinstance(fields, dict):
        merged = dict(fields)
        merged.update({k: v for k, v in obj.items() if k != "fields"})
        return merged
    return obj


def log_message(entry):
    for key in ("message", "msg", "event"):
        if isinstance(entry.get(key), str):
            return entry[key]
    return None


class ServerExited(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `postern serve` process on a data dir (fresh temp dir unless given)."""

    def __init__(self, data_dir=None, extra_env=None):
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="postern-it-"))
        self.extra_env = dict(extra_env or {})
        self.proc = None
        self.host = None
        self.port = None
        self.stderr_lines = []   # every stderr line of every run of this Server, in order
        self._lines_lock = threading.Lock()
        self._listening = threading.Event()
        self._reader = None
        self.runs = 0
        # The contract is POSTERN_LISTEN=127.0.0.1:0 (actual port logged). If this build
        # refuses port 0, fall back to a free port we pick, and remember it (test_smtplib's
        # test_listen_port_zero reports the deviation).
        self.listen = "127.0.0.1:0"
        self.port_zero_refused = False

    # environment of the child
    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSTERN_")}
        env.update({
            "POSTERN_DATA_DIR": str(self.data_dir),
            "POSTERN_LISTEN": self.listen,
            "POSTERN_USER": USER,
            "POSTERN_PASSWORD": PASSWORD,
            "POSTERN_USER_SENDERS": SENDERS,
            "POSTERN_LOG_FORMAT": "json",
        })
        env.update(self.extra_env)
        return env

    def start(self):
        try:
            return self._start()
        except ServerExited as exc:
            if not (self.listen.endswith(":0") and "POSTERN_LISTEN" in str(exc)
                    and "POSTERN_LISTEN" not in self.extra_env):
                raise
        self.port_zero_refused = True
        self.listen = f"127.0.0.1:{free_port()}"
        return self._start()

    def _start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._listening.clear()
        self.host = self.port = None
        self.runs += 1
        self.proc = spawn([postern_bin(), "serve"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env())
        self._reader = threading.Thread(target=self._read_stderr, args=(self.proc,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening.wait(0.02):
            if self.proc.poll() is not None:
                self._reader.join(5)
                raise ServerExited(f"postern serve exited with {self.proc.returncode} before "
                                   f"listening; stderr:\n{self.log_text()[-4000:]}")
            if time.monotonic() > deadline:
                self.kill9()
                raise RuntimeError("postern serve did not log 'listening' in time; stderr:\n"
                                   + self.log_text()[-4000:])
        return self

    def _read_stderr(self, proc):
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lines_lock:
                self.stderr_lines.append(line)
            entry = parse_log_line(line)
            if entry and log_message(entry) == "listening" and isinstance(entry.get("address"), str):
                host, _, port = entry["address"].rpartition(":")
                self.host, self.port = host.strip("[]"), int(port)
                self._listening.set()
        proc.stderr.close()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, SIGKILL after STOP_TIMEOUT; returns the exit status (0 expected)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = reap(self.proc)
        self._reader.join(10)
        return rc

    def kill9(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        rc = reap(self.proc)
        self._reader.join(10)
        return rc

    def cleanup(self):
        self.kill9()
        if self._own_dir and not os.environ.get("POSTERN_KEEP_DATA"):
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # logs
    def log_text(self):
        with self._lines_lock:
            return "\n".join(self.stderr_lines)

    def log_entries(self):
        with self._lines_lock:
            lines = list(self.stderr_lines)
        return [e for e in map(parse_log_line, lines) if e is not None]

    # store
    @property
    def db_path(self):
        """The queue database: POSTERN_STORE_PATH if we set it, else the file in the data dir
        (the brief names it queue.db, docs/config.md queue.sqlite3: whichever exists)."""
        if self.extra_env.get("POSTERN_STORE_PATH"):
            return Path(self.extra_env["POSTERN_STORE_PATH"])
        for name in ("queue.db", "queue.sqlite3"):
            if (self.data_dir / name).exists():
                return self.data_dir / name
        raise AssertionError(f"no queue database in {self.data_dir}: "
                             f"{sorted(p.name for p in self.data_dir.iterdir())}")

    def store(self):
        return Store(self.db_path)

    @property
    def cert_path(self):
        return self.data_dir / "tls" / "cert.pem"


# --- the store (read-only) --------------------------------------------------------------------

class Store:
    """Read-only view of queue.db (schema: docs/store-format.md)."""

    def __init__(self, path):
        self.path = Path(path)

    @contextlib.contextmanager
    def connect(self):
        # mode=ro: never write, never checkpoint; the server may be running concurrently.
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            yield conn
        finally:
            conn.close()

    def count(self):
        with self.connect() as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    def queue_ids(self):
        with self.connect() as conn:
            return [r[0] for r in conn.execute("SELECT queue_id FROM messages ORDER BY id")]

    def content(self, queue_id):
        """The stored content (bytes) of `queue_id`, or None if absent."""
        with self.connect() as conn:
            row = conn.execute("SELECT content FROM messages WHERE queue_id = ?",
                               (queue_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def message(self, queue_id):
        """dict with the message row, its recipients (in order) and content; None if absent."""
        with self.connect() as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM messages WHERE queue_id = ?",
                               (queue_id,)).fetchone()
            if row is None:
                return None
            msg = dict(row)
            msg["content"] = bytes(msg["content"])
            msg["recipients"] = [dict(r) for r in conn.execute(
                "SELECT * FROM recipients WHERE message_id = ? ORDER BY rcpt_index",
                (row["id"],))]
            return msg

    def all_messages(self):
        with self.connect() as conn:
            ids = [r[0] for r in conn.execute("SELECT queue_id FROM messages ORDER BY id")]
        return [self.message(q) for q in ids]

    def find(self, needle):
        """queue ids whose content contains `needle` (bytes)."""
        with self.connect() as conn:
            return [r[0] for r in conn.execute(
                "SELECT queue_id FROM messages WHERE instr(content, ?) > 0", (needle,))]

    def integrity(self):
        with self.connect() as conn:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]


# --- message content checks -------------------------------------------------------------------

def split_header_block(message):
    """(header block incl. its last CRLF, body) at the first empty line."""
    idx = message.find(b"\r\n\r\n")
    assert idx >= 0, "message without a header/body separator"
    return message[:idx + 2], message[idx + 4:]


def header_names(header_block):
    names = []
    for line in header_block.split(b"\r\n"):
        if line and line[:1] not in (b" ", b"\t"):
            names.append(line.split(b":", 1)[0].strip().lower())
    return names


def expected_added_headers(sent):
    names = header_names(split_header_block(sent)[0])
    return [n for n in (b"message-id", b"date") if n not in names]


def check_stored(stored, sent):
    """Raises AssertionError unless `stored` is `sent` with a Received: header prepended and
    Message-ID/Date appended to the header block only where `sent` lacks them. Returns the
    (received header, appended header lines) for further checks."""
    assert stored is not None, "message not in the store"
    assert stored.startswith(b"Received:"), f"stored message does not start with Received: " \
                                            f"{stored[:80]!r}"
    # The Received header ends at the first line that is not a continuation line.
    pos = 0
    while True:
        eol = stored.index(b"\r\n", pos) + 2
        pos = eol
        if stored[pos:pos + 1] not in (b" ", b"\t"):
            break
    received, rest = stored[:pos], stored[pos:]
    sent_head, sent_body = split_header_block(sent)
    missing = expected_added_headers(sent)
    if not missing:
        assert rest == sent, diff_hint(rest, sent)
        return received, []
    assert rest.startswith(sent_head), diff_hint(rest[:len(sent_head)], sent_head)
    tail = rest[len(sent_head):]
    if tail.startswith(b"\r\n"):
        added, body = b"", tail[2:]
    else:
        sep = tail.find(b"\r\n\r\n")
        assert sep >= 0, "no header/body separator after the added headers"
        added, body = tail[:sep + 2], tail[sep + 4:]
    assert body == sent_body, diff_hint(body, sent_body)
    added_lines = [l for l in added.split(b"\r\n") if l]
    assert sorted(header_names(added)) == sorted(missing), \
        f"added headers {added_lines!r}, expected exactly {missing!r}"
    return received, added_lines


def diff_hint(got, want):
    n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return (f"content differs at byte {n} (got {len(got)} bytes, want {len(want)}): "
            f"got {got[max(0, n - 40):n + 40]!r} want {want[max(0, n - 40):n + 40]!r}")


def make_message(subject, body_lines, sender=SENDER, to="rcpt@example.net", extra_headers=(),
                 message_id=True, date=True):
    """A CRLF message (bytes). body_lines: list of bytes/str lines without line endings."""
    head = [f"From: <{sender}>", f"To: <{to}>", f"Subject: {subject}"]
    if message_id:
        head.append(f"Message-ID: <{subject.replace(' ', '.')}.{time.time_ns()}@example.com>")
    if date:
        head.append("Date: Mon, 01 Jan 2024 12:00:00 +0000")
    head.extend(extra_headers)
    lines = [h.encode() for h in head] + [b""]
    lines += [l.encode() if isinstance(l, str) else l for l in body_lines]
    return b"\r\n".join(lines) + b"\r\n"


def queue_id_of(reply_text):
    """Queue id from `2.0.0 Ok: queued as <ID>` (smtplib reply text or a raw reply line)."""
    if isinstance(reply_text, bytes):
        reply_text = reply_text.decode("utf-8", "replace")
    last = reply_text.strip().split()[-1] if reply_text.strip() else ""
    return last if QUEUE_ID_RE.match(last) else None


# --- smtplib helper ---------------------------------------------------------------------------

def client_tls_context(server=None):
    """Trusts the generated certificate if there is one; otherwise no verification."""
    if server is not None and server.cert_path.exists():
        ctx = ssl.create_default_context(cafile=str(server.cert_path))
        ctx.check_hostname = False  # the generated certificate names the server's hostname
        return ctx
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def insecure_tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def smtp_session(server, user=USER, password=PASSWORD, mechanism=None, timeout=IO_TIMEOUT,
                 context=None):
    """smtplib.SMTP after EHLO, STARTTLS, EHLO and AUTH (mechanism "PLAIN"/"LOGIN"/None).
    LOGIN runs the classic exchange (no initial response); PLAIN sends an initial response."""
    smtp = smtplib.SMTP(server.host, server.port, local_hostname="client.example",
                        timeout=timeout)
    try:
        code, _ = smtp.ehlo()
        assert code == 250, code
        assert smtp.has_extn("starttls"), "STARTTLS not offered"
        assert not smtp.has_extn("auth"), "AUTH offered before TLS"
        smtp.starttls(context=context or insecure_tls_context())
        code, _ = smtp.ehlo()
        assert code == 250, code
        if mechanism is None:
            smtp.login(user, password)
        else:
            smtp.user, smtp.password = user, password
            auth_fn = {"PLAIN": smtp.auth_plain, "LOGIN": smtp.auth_login}[mechanism]
            smtp.auth(mechanism, auth_fn, initial_response_ok=(mechanism == "PLAIN"))
        return smtp
    except BaseException:
        smtp.close()
        raise


def submit(smtp, sender, rcpts, content, mail_options=()):
    """MAIL/RCPT/DATA on an authenticated session; returns (data code, data text, queue id)."""
    code, text = smtp.mail(sender, list(mail_options))
    if code != 250:
        smtp.rset()
        return code, text.decode("utf-8", "replace"), None
    for r in rcpts:
        code, text = smtp.rcpt(r)
        if code not in (250, 251):
            smtp.rset()
            return code, text.decode("utf-8", "replace"), None
    code, text = smtp.data(content)
    text = text.decode("utf-8", "replace")
    return code, text, queue_id_of(text) if code == 250 else None


# --- raw socket client ------------------------------------------------------------------------

class RawClient:
    """A byte-level SMTP client: send exact bytes, read replies line by line."""

    def __init__(self, host, port, timeout=IO_TIMEOUT, source=None):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.timeout = timeout
        self.buf = b""
        self.tls = False

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def cmd(self, line):
        """Sends `line` + CRLF and returns the reply."""
        self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.reply()

    def _fill(self, timeout=None):
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the server")
        self.buf += chunk

    def line(self, timeout=None):
        while b"\r\n" not in self.buf:
            self._fill(timeout)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self, timeout=None):
        """A complete (possibly multi-line) reply: (code, [lines]) with lines incl. the code."""
        lines = []
        while True:
            line = self.line(timeout)
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                break
        try:
            code = int(lines[-1][:3])
        except ValueError:
            code = -1
        return code, lines

    def reply_text(self, timeout=None):
        """The last line of the next reply, e.g. '250 2.0.0 Ok'."""
        return self.reply(timeout)[1][-1]

    def pending(self, wait=0.3):
        """Bytes that arrive within `wait` seconds without us sending anything (b'' if none;
        None if the connection was closed)."""
        if self.buf:
            data, self.buf = self.buf, b""
            return data
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            return b""
        return chunk if chunk else None

    def closed_by_server(self, wait=10.0):
        """True if the server closes the connection within `wait` s (replies are drained)."""
        deadline = time.monotonic() + wait
        self.buf = b""
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            except ssl.SSLError:
                return True
            if not chunk:
                return True
        return False

    def starttls(self, context=None):
        """Plain STARTTLS exchange, then the handshake; returns the 220 line."""
        code, lines = self.cmd("STARTTLS")
        assert code == 220, lines
        assert not self.buf, f"bytes after the 220 before the handshake: {self.buf!r}"
        self.wrap_tls(context)
        return lines[-1]

    def wrap_tls(self, context=None):
        ctx = context or insecure_tls_context()
        self.sock.settimeout(self.timeout)
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
        self.tls = True

    def ehlo(self, name="client.example"):
        code, lines = self.cmd(f"EHLO {name}")
        assert code == 250, lines
        return [l[4:] for l in lines]

    def login(self, user=USER, password=PASSWORD):
        """EHLO, STARTTLS, EHLO, AUTH PLAIN from a fresh connection; returns EHLO keywords."""
        code, lines = self.reply()
        assert code == 220, lines
        self.ehlo()
        self.starttls()
        keywords = self.ehlo()
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        code, lines = self.cmd(f"AUTH PLAIN {token}")
        assert code == 235, lines
        return keywords


def size_limit(ehlo_keywords):
    for kw in ehlo_keywords:
        parts = kw.split()
        if parts and parts[0].upper() == "SIZE" and len(parts) > 1:
            return int(parts[1])
    return None


# --- unittest glue ----------------------------------------------------------------------------

import unittest  # noqa: E402  (kept next to its only use)


class ServerTestCase(unittest.TestCase):
    """One server per test class, on a fresh data dir; killed by PID however the class ends."""

    extra_env = {}

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_env=cls.extra_env)
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()

    def assertNoSecretsLogged(self, *secrets):
        text = self.server.log_text()
        for secret in (PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
                       base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()) + secrets:
            self.assertNotIn(secret, text, "a secret appears in the server's log output")


def main():
    unittest.main(verbosity=2)
