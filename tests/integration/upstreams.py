"""Upstream peers for the delivery tests (the provider side of `postern serve`).

- TestCA: a throw-away CA and server certificates made with the openssl CLI, once per process.
- AiosmtpdUpstream: Debian's aiosmtpd as a submission server (STARTTLS required, AUTH PLAIN and
  LOGIN only inside TLS, one account), recording every connection and transaction.
- FaultUpstream: a scripted SMTP server (asyncio + ssl) that plays one Scenario per connection:
  bad greetings, per-recipient replies, disconnects around DATA, slow replies, no STARTTLS, a
  certificate for another host, bytes injected after the STARTTLS 220, AUTH failures and any
  reply to the final dot.
- PostfixUpstream: a private Postfix smtpd (STARTTLS + Cyrus SASL) started with
  bench/scripts/postfix-submission.sh.
- postern_env(): the POSTERN_UPSTREAM_* environment that points `postern serve` at one of them.

Everything listens on 127.0.0.1 only and is stopped explicitly (or at exit).
"""

import asyncio
import atexit
import base64
import dataclasses
import logging
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import harness as h

# aiosmtpd logs a deprecation line for every successful AUTH (its own login_data).
logging.getLogger("mail.log").setLevel(logging.ERROR)

UP_USER = "relay@example.com"
UP_PASSWORD = "up-Secret-7731"


def wait_for(predicate, timeout=30.0, interval=0.05):
    """Polls predicate() until it returns a truthy value (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


# --- test CA ----------------------------------------------------------------------------------

class TestCA:
    """A CA and leaf certificates (EC P-256) in a temp dir, made once per test process.

    certs: "server" (DNS:localhost, IP:127.0.0.1), "wrong" (DNS:wrong.example),
    "cn_only" (CN=localhost, no subjectAltName: must fail, no CN fallback, RFC 9525 §6.3)."""

    _instance = None
    _lock = threading.Lock()

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="postern-ca-"))
        atexit.register(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o755)  # Postfix reads the server certificate too
        self.ca_cert = self.dir / "ca.pem"
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3",
                      "-subj", "/CN=Postern Test CA",
                      "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.certs = {
            "server": self._issue("server", "localhost", "DNS:localhost,IP:127.0.0.1"),
            "wrong": self._issue("wrong", "wrong.example", "DNS:wrong.example"),
            "cn_only": self._issue("cn_only", "localhost", None),
        }

    def _openssl(self, *args):
        res = subprocess.run(["openssl", *args], cwd=self.dir, capture_output=True, timeout=60)
        if res.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(args)}: {res.stderr.decode()}")

    def _issue(self, name, cn, sans):
        ext = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
               "extendedKeyUsage=serverAuth"]
        if sans:
            ext.append(f"subjectAltName={sans}")
        (self.dir / f"{name}.ext").write_text("\n".join(ext) + "\n")
        self._openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                      "-subj", f"/CN={cn}")
        self._openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                      "-CAcreateserial", "-days", "3", "-extfile", f"{name}.ext",
                      "-out", f"{name}.pem")
        for suffix in ("pem", "key"):
            os.chmod(self.dir / f"{name}.{suffix}", 0o644)
        return self.dir / f"{name}.pem", self.dir / f"{name}.key"

    def server_context(self, cert="server"):
        pem, key = self.certs[cert]
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(pem), str(key))
        return ctx

    def client_context(self):
        """What a correct client does: trust the test CA, check the host name."""
        ctx = ssl.create_default_context(cafile=str(self.ca_cert))
        ctx.hostname_checks_common_name = False  # RFC 9525 §6.3: no CN fallback
        return ctx


def postern_env(port, host="localhost", provider="custom", user=UP_USER, password=UP_PASSWORD,
                ca=True, tls="required", **delivery):
    """Environment for `postern serve` pointing at an upstream on loopback. Extra keyword
    arguments become POSTERN_DELIVERY_<KEY> (e.g. poll_interval="200ms")."""
    env = {
        "POSTERN_PROVIDER": provider,
        "POSTERN_UPSTREAM_HOST": host,
        "POSTERN_UPSTREAM_PORT": str(port),
        "POSTERN_UPSTREAM_USER": user,
        "POSTERN_UPSTREAM_PASSWORD": password,
        "POSTERN_UPSTREAM_TLS": tls,
    }
    if ca:
        env["POSTERN_UPSTREAM_CA_FILE"] = str(TestCA.get().ca_cert)
    for key, value in delivery.items():
        env[f"POSTERN_DELIVERY_{key.upper()}"] = str(value)
    return env


# --- records shared by the servers ------------------------------------------------------------

@dataclasses.dataclass
class Transaction:
    conn: int                 # index of the connection (0-based, accept order)
    mail_from: str
    rcpt_tos: list            # recipients the server accepted
    content: bytes            # dot-unstuffed, as received
    tls: bool
    at: float                 # time.time() when the final dot was received
    replied: str = ""         # the reply sent to the final dot ("" if none)
    mail_options: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Connection:
    index: int
    opened_at: float
    tls: bool = False               # TLS handshake completed
    handshake_failed: bool = False
    auth: list = dataclasses.field(default_factory=list)   # (mechanism, user, password, ok)
    commands: list = dataclasses.field(default_factory=list)  # verbs in order (ESMTP)
    out_of_turn: list = dataclasses.field(default_factory=list)  # bytes sent while we owed a reply
    plaintext_auth_or_mail: bool = False
    closed_at: float = 0.0


class _Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self._connections = []
        self._transactions = []

    def new_connection(self):
        with self.lock:
            conn = Connection(index=len(self._connections), opened_at=time.time())
            self._connections.append(conn)
            return conn

    def add_transaction(self, tx):
        with self.lock:
            self._transactions.append(tx)

    @property
    def connections(self):
        with self.lock:
            return list(self._connections)

    @property
    def transactions(self):
        with self.lock:
            return list(self._transactions)

    def transactions_with(self, needle):
        """Transactions whose content contains `needle` (bytes or str)."""
        if isinstance(needle, str):
            needle = needle.encode()
        return [t for t in self.transactions if needle in t.content]

    def null_sender_transactions(self):
        return [t for t in self.transactions if t.mail_from == ""]

    def auth_attempts(self):
        return [a for c in self.connections for a in c.auth]

    def wait_transactions(self, needle, count=1, timeout=60.0):
        return wait_for(lambda: len(self.transactions_with(needle)) >= count, timeout)


class _LoopThread:
    """An asyncio loop in a daemon thread."""

    def __init__(self, name):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        if self.loop.is_closed():
            return
        async def _cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            self.run(_cancel_all(), timeout=10)
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# --- aiosmtpd upstream ------------------------------------------------------------------------

class AiosmtpdUpstream(_Recorder):
    """aiosmtpd with STARTTLS required, AUTH PLAIN/LOGIN only after TLS, one account.

    data_delay: seconds to wait inside DATA before the 250 (a slow provider). The transaction is
    recorded when the final dot arrives (the provider has the message from then on).
    gate: while cleared, new connections wait before their greeting (messages pile up)."""

    def __init__(self, user=UP_USER, password=UP_PASSWORD, data_delay=0.0, cert="server"):
        super().__init__()
        from aiosmtpd.smtp import SMTP, AuthResult  # Debian's python3-aiosmtpd
        self.user, self.password = user, password
        self.data_delay = data_delay
        self.gate = threading.Event()
        self.gate.set()
        self.ca = TestCA.get()
        self._lt = _LoopThread("aiosmtpd-upstream")
        tls_context = self.ca.server_context(cert)
        upstream = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                tx = Transaction(conn=server.conn.index, mail_from=envelope.mail_from,
                                 rcpt_tos=list(envelope.rcpt_tos),
                                 content=bytes(envelope.original_content or b""),
                                 tls=session.ssl is not None, at=time.time(),
                                 mail_options=list(envelope.mail_options))
                upstream.add_transaction(tx)
                if upstream.data_delay:
                    await asyncio.sleep(upstream.data_delay)
                tx.replied = "250 2.0.0 Ok: queued"
                return tx.replied

            def handle_STARTTLS(self, server, session, envelope):
                server.conn.tls = True
                return True

        def authenticator(server, session, envelope, mechanism, auth_data):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            ok = (login, password) == (upstream.user, upstream.password)
            server.conn.auth.append((mechanism, login, password, ok))
            return AuthResult(success=ok, handled=False)

        class RecordingSMTP(SMTP):
            def connection_made(self, transport):
                if self._original_transport is None:   # a new TCP connection, not STARTTLS
                    self.conn = upstream.new_connection()
                super().connection_made(transport)

            def connection_lost(self, error):
                self.conn.closed_at = time.time()
                super().connection_lost(error)

            async def _handle_client(self):
                while not upstream.gate.is_set():
                    await asyncio.sleep(0.02)
                await super()._handle_client()

            async def smtp_MAIL(self, arg):
                self.conn.commands.append("MAIL")
                await super().smtp_MAIL(arg)

            async def smtp_QUIT(self, arg):
                self.conn.commands.append("QUIT")
                await super().smtp_QUIT(arg)

        def factory():
            return RecordingSMTP(Handler(), hostname="upstream.test", tls_context=tls_context,
                                 require_starttls=True, auth_require_tls=True,
                                 authenticator=authenticator, auth_required=True,
                                 enable_SMTPUTF8=True,
                                 decode_data=False, loop=self._lt.loop, timeout=60)

        async def _start():
            return await self._lt.loop.create_server(factory, "127.0.0.1", 0)

        self._server = self._lt.run(_start())
        self.host = "127.0.0.1"
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self):
        async def _close():
            self._server.close()
        try:
            self._lt.run(_close())
        except Exception:  # noqa: BLE001
            pass
        self._lt.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --- scripted fault upstream ------------------------------------------------------------------

@dataclasses.dataclass
class Scenario:
    """What the fault upstream does on one connection. Replies are full lines without CRLF."""
    greeting: str = "220 fault.test ESMTP"
    starttls: bool = True                 # offer STARTTLS in EHLO
    cert: str = "server"                  # TestCA cert used for the handshake
    inject_after_starttls: bytes = b""    # sent in the same write as the STARTTLS 220
    auth_reply: str = "235 2.7.0 Authentication successful"
    mail_reply: str = "250 2.1.0 Ok"
    mail_replies: dict = dataclasses.field(default_factory=dict)  # sender (lower) -> reply
    rcpt_replies: dict = dataclasses.field(default_factory=dict)  # address (lower) -> reply
    rcpt_default: str = "250 2.1.5 Ok"
    max_rcpts: int = 0                    # > 0: RCPTs beyond this get too_many_reply
    too_many_reply: str = "452 4.5.3 Too many recipients"
    data_reply: str = "354 End data with <CR><LF>.<CR><LF>"
    dot_reply: str = "250 2.0.0 Ok: queued"
    disconnect_during_data: bool = False  # close after the first data line
    disconnect_after_dot: bool = False    # take the message, close without a reply
    delay: float = 0.0                    # seconds before each reply named in delay_at
    delay_at: tuple = ("dot",)            # greeting ehlo starttls auth mail rcpt data dot
    pipelining: bool = False              # advertise PIPELINING (else any early byte is noted)


class FaultUpstream(_Recorder):
    """A scripted SMTP server. Connection i plays scenarios[min(i, len - 1)]."""

    def __init__(self, *scenarios, user=UP_USER, password=UP_PASSWORD):
        super().__init__()
        self.scenarios = list(scenarios) or [Scenario()]
        self._base = 0         # connection index where the current script starts
        self._generation = 0   # bumped by set_scenarios()
        self.user, self.password = user, password
        self.ca = TestCA.get()
        self._contexts = {}
        self._lt = _LoopThread("fault-upstream")
        self.handshakes = 0          # TLS handshakes that completed
        self.handshake_failures = 0

        async def _start():
            return await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=1 << 20)

        self._server = self._lt.run(_start())
        self.host = "127.0.0.1"
        self.port = self._server.sockets[0].getsockname()[1]

    def set_scenarios(self, *scenarios):
        """Replaces the script: connections opened from now on play scenarios[0], [1], ...;
        connections already open switch to scenarios[0] at their next command."""
        with self.lock:
            self.scenarios = list(scenarios)
            self._base = len(self._connections)
            self._generation += 1

    def _scenario_for(self, index):
        with self.lock:
            return self.scenarios[max(0, min(index - self._base, len(self.scenarios) - 1))], \
                self._generation

    def _context(self, cert):
        if cert not in self._contexts:
            self._contexts[cert] = self.ca.server_context(cert)
        return self._contexts[cert]

    def stop(self):
        async def _close():
            self._server.close()
        try:
            self._lt.run(_close())
        except Exception:  # noqa: BLE001
            pass
        self._lt.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # the session
    async def _serve(self, reader, writer):
        conn = self.new_connection()
        try:
            await _FaultSession(self, conn, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError,
                asyncio.LimitOverrunError):
            pass
        finally:
            conn.closed_at = time.time()
            writer.close()


class _FaultSession:
    def __init__(self, up, conn, reader, writer):
        self.up, self.conn = up, conn
        self.sc, self.generation = up._scenario_for(conn.index)
        self.reader, self.writer = reader, writer
        self.tls = False
        self.mail_from = None
        self.rcpts = []
        self.mail_options = []

    async def reply(self, line, step, extra=b""):
        if self.sc.delay and step in self.sc.delay_at:
            await asyncio.sleep(self.sc.delay)
        buffered = bytes(self.reader._buffer)  # noqa: SLF001 - the only way to see early bytes
        if buffered and not (self.sc.pipelining and step in ("mail", "rcpt")):
            self.conn.out_of_turn.append((step, buffered))
        self.writer.write(line.encode() + b"\r\n" + extra)
        await self.writer.drain()

    async def line(self):
        raw = await self.reader.readuntil(b"\r\n")
        return raw[:-2].decode("utf-8", "replace")

    async def run(self):
        sc = self.sc
        await self.reply(sc.greeting, "greeting")
        if not sc.greeting.startswith("2"):
            return  # 421/554 greeting: close (RFC 5321 §3.1)
        while True:
            line = await self.line()
            with self.up.lock:
                if self.up._generation != self.generation:   # set_scenarios() was called
                    self.sc, self.generation = self.up.scenarios[0], self.up._generation
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb) + 1:]
            self.conn.commands.append(verb)
            if verb in ("EHLO", "HELO"):
                await self.ehlo(verb)
            elif verb == "STARTTLS":
                if not sc.starttls or self.tls:
                    await self.reply("503 5.5.1 STARTTLS not available", "starttls")
                    continue
                if not await self.starttls():
                    return
            elif verb == "AUTH":
                if sc.starttls and not self.tls:
                    await self.reply("530 5.7.0 Must issue a STARTTLS command first", "auth")
                    continue
                await self.auth(arg)
            elif verb == "MAIL":
                if not self.tls:
                    self.conn.plaintext_auth_or_mail = True
                await self.mail(arg)
            elif verb == "RCPT":
                await self.rcpt(arg)
            elif verb == "DATA":
                if not await self.data():
                    return
            elif verb == "RSET":
                self.mail_from, self.rcpts = None, []
                await self.reply("250 2.0.0 Ok", "rset")
            elif verb == "NOOP":
                await self.reply("250 2.0.0 Ok", "noop")
            elif verb == "QUIT":
                await self.reply("221 2.0.0 Bye", "quit")
                return
            else:
                await self.reply("502 5.5.2 Command not recognized", "other")

    async def ehlo(self, verb):
        if verb == "HELO":
            await self.reply("250 fault.test", "ehlo")
            return
        ext = ["8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 52428800", "SMTPUTF8"]
        if self.sc.pipelining:
            ext.append("PIPELINING")
        if not self.tls and self.sc.starttls:
            ext.append("STARTTLS")
        else:
            ext.append("AUTH PLAIN LOGIN")   # offered in plaintext only when STARTTLS is not
        if self.tls and self.sc.inject_after_starttls:
            await asyncio.sleep(0.5)  # a client that took the injected reply sends on now
        lines = ["fault.test"] + ext
        text = "\r\n".join(f"250-{l}" for l in lines[:-1]) + f"\r\n250 {lines[-1]}"
        await self.reply(text, "ehlo")

    async def starttls(self):
        # Injected bytes go out in the same write as the 220 (CVE-2021-38371 style): a client
        # must discard whatever it received before the handshake completes.
        await self.reply("220 2.0.0 Ready to start TLS", "starttls",
                         extra=self.sc.inject_after_starttls)
        self.reader._buffer.clear()  # noqa: SLF001 - RFC 3207 §4.2: discard plaintext leftovers
        try:
            await self.writer.start_tls(self.up._context(self.sc.cert))
        except (ssl.SSLError, ConnectionError, OSError):
            self.conn.handshake_failed = True
            with self.up.lock:
                self.up.handshake_failures += 1
            return False
        self.tls = self.conn.tls = True
        with self.up.lock:
            self.up.handshakes += 1
        self.mail_from, self.rcpts = None, []
        return True

    async def auth(self, arg):
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        user = password = None
        if mech == "PLAIN":
            resp = parts[1] if len(parts) > 1 else None
            if resp is None:
                await self.reply("334 ", "auth")
                resp = await self.line()
            try:
                _, user, password = base64.b64decode(resp).decode().split("\0")
            except ValueError:
                user = password = None
        elif mech == "LOGIN":
            if len(parts) > 1:
                user = base64.b64decode(parts[1]).decode("utf-8", "replace")
            else:
                await self.reply("334 VXNlcm5hbWU6", "auth")
                user = base64.b64decode(await self.line()).decode("utf-8", "replace")
            await self.reply("334 UGFzc3dvcmQ6", "auth")
            password = base64.b64decode(await self.line()).decode("utf-8", "replace")
        else:
            await self.reply("504 5.5.4 Unrecognized authentication type", "auth")
            return
        if not self.tls:
            self.conn.plaintext_auth_or_mail = True
        good = (user, password) == (self.up.user, self.up.password)
        reply = self.sc.auth_reply
        if reply.startswith("235") and not good:
            reply = "535 5.7.8 Authentication credentials invalid"
        self.conn.auth.append((mech, user, password, reply.startswith("235")))
        await self.reply(reply, "auth")

    async def mail(self, arg):
        m = re.match(r"(?i)FROM:\s*<([^>]*)>\s*(.*)$", arg)
        if not m:
            await self.reply("501 5.5.4 Syntax: MAIL FROM:<address>", "mail")
            return
        reply = self.sc.mail_replies.get(m.group(1).lower(), self.sc.mail_reply)
        if reply.startswith("2"):
            self.mail_from, self.rcpts = m.group(1), []
            self.mail_options = m.group(2).split()
        await self.reply(reply, "mail")

    async def rcpt(self, arg):
        m = re.match(r"(?i)TO:\s*<([^>]*)>", arg)
        if self.mail_from is None or not m:
            await self.reply("503 5.5.1 Error: need MAIL command", "rcpt")
            return
        addr = m.group(1)
        reply = self.sc.rcpt_replies.get(addr.lower(), self.sc.rcpt_default)
        if reply.startswith("2") and self.sc.max_rcpts and len(self.rcpts) >= self.sc.max_rcpts:
            reply = self.sc.too_many_reply
        if reply.startswith("2"):
            self.rcpts.append(addr)
        await self.reply(reply, "rcpt")

    async def data(self):
        if self.mail_from is None or not self.rcpts:
            await self.reply("503 5.5.1 Error: need RCPT command", "data")
            return True
        await self.reply(self.sc.data_reply, "data")
        if not self.sc.data_reply.startswith("354"):
            return True
        lines = []
        while True:
            raw = await self.reader.readuntil(b"\r\n")
            if raw == b".\r\n":
                break
            lines.append(raw[1:] if raw.startswith(b".") else raw)
            if self.sc.disconnect_during_data:
                return False
        tx = Transaction(conn=self.conn.index, mail_from=self.mail_from, rcpt_tos=self.rcpts,
                         content=b"".join(lines), tls=self.tls, at=time.time(),
                         mail_options=self.mail_options)
        self.mail_from, self.rcpts = None, []
        if self.sc.disconnect_after_dot:
            tx.replied = ""
            self.up.add_transaction(tx)
            return False
        tx.replied = self.sc.dot_reply
        self.up.add_transaction(tx)
        await self.reply(self.sc.dot_reply, "dot")
        return True


# --- Postfix ----------------------------------------------------------------------------------

class PostfixUpstream:
    """A private Postfix instance (bench/scripts/postfix-submission.sh): smtpd on a loopback
    port, STARTTLS required, SASL PLAIN/LOGIN from a sasldb, accepted mail queued durably and
    handed to discard(8). What it received is read from its maillog."""

    SCRIPT = h.REPO / "bench/scripts/postfix-submission.sh"

    def __init__(self, user="relay", password=UP_PASSWORD):
        self.user, self.password = user, password
        self.base = Path(tempfile.mkdtemp(prefix="postern-postfix-"))
        os.chmod(self.base, 0o755)  # the postfix user must reach DIR/data
        self.dir = self.base / "pf"
        self.host = "127.0.0.1"
        self.port = h.free_port()
        pem, key = TestCA.get().certs["server"]
        rc, out, err = h.run_tool(["bash", str(self.SCRIPT), "start", str(self.dir),
                                   str(self.port), str(pem), str(key), user, password],
                                  timeout=120)
        if rc != 0:
            log = self.maillog()[-2000:]
            self.stop()
            raise RuntimeError(f"postfix did not start ({rc}): {out.decode()} {err.decode()} "
                               f"{log}")
        # The script maps senders @example.com to the SASL login (reject_sender_login_mismatch).

    def stop(self):
        h.run_tool(["bash", str(self.SCRIPT), "stop", str(self.dir)], timeout=60)
        if not os.environ.get("POSTERN_KEEP_DATA"):
            shutil.rmtree(self.base, ignore_errors=True)

    def maillog(self):
        try:
            return (self.dir / "maillog").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def delivered(self, message_id):
        """[(queue id, smtpd line, discard lines)] for a Message-ID that Postfix accepted."""
        log = self.maillog()
        out = []
        for m in re.finditer(r"postfix/cleanup\[\d+\]: ([0-9A-F]+): message-id=<?"
                             + re.escape(message_id.strip("<>")) + r">?", log):
            qid = m.group(1)
            smtpd = re.findall(rf"smtpd\[\d+\]: {qid}: client=.*", log)
            sent = re.findall(rf"discard\[\d+\]: {qid}: to=<[^>]*>.*status=sent.*", log)
            out.append((qid, smtpd, sent))
        return out
