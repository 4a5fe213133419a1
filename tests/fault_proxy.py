"""A fault-injecting HTTP proxy on loopback, between the controller and the IAM server (moto).

What IAM and the network do to a controller, on purpose and at a chosen rate:
  throttle  400 Throttling, as IAM answers when the account's request rate is exceeded
  500/503   InternalFailure / ServiceUnavailable
  reset     the connection is closed before the request reaches IAM
  delay     the answer comes after `delay` seconds (the request is made)
  lost      (writes only) the request reaches IAM and is carried out, but the answer never
            arrives: the connection is closed instead. The hardest case: the caller cannot
            know whether its CreateRole happened.
The IAM action is read from the query-protocol form body (`Action=CreateRole&…`). Standard
library only, one asyncio thread. Used by scripts/chaos_soak.py; `python3 tests/fault_proxy.py
UPSTREAM_URL [RATE]` runs it alone and prints its port.
"""
import asyncio
import random
import re
import time
import sys
import threading
import urllib.parse
from collections import Counter

READS = ("Get", "List")
KINDS = [("throttle", 0.25), ("500", 0.1), ("503", 0.15), ("reset", 0.15), ("delay", 0.1), ("lost", 0.25)]
ERRORS = {
    "throttle": (400, "Sender", "Throttling", "Rate exceeded"),
    "500": (500, "Receiver", "InternalFailure", "We encountered an internal error. Please try again."),
    "503": (503, "Receiver", "ServiceUnavailable", "Service Unavailable"),
}


class FaultProxy:
    def __init__(self, upstream, rate=0.15, seed=1, delay=8.0):
        u = urllib.parse.urlsplit(upstream)
        self.host, self.port = u.hostname, u.port or 80
        self.rate, self.delay = rate, delay
        self.random = random.Random(seed)
        self.stats = Counter()
        # (monotonic time, fault or "ok", action, the role or profile named, phase): what a
        # failed soak prints for the objects it found left over.
        self.journal = []
        self.enabled = True
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self.handle, "127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        ready.set()
        self.loop.run_forever()

    def pick(self, write):
        if not self.enabled or self.random.random() >= self.rate:
            return None
        kind = self.random.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        return "reset" if kind == "lost" and not write else kind

    async def handle(self, reader, writer):
        try:
            while True:
                req = await read_message(reader, request=True)
                if req is None:
                    return
                head, body = req
                form = urllib.parse.parse_qs(body.decode(errors="replace"))
                action = form.get("Action", ["?"])[0]
                fault = self.pick(not action.startswith(READS))
                self.stats[(fault or "ok", action)] += 1
                target = (form.get("RoleName") or form.get("InstanceProfileName") or [""])[0]
                entry = [time.monotonic(), fault or "ok", action, target, "sent"]
                self.journal.append(entry)
                if fault == "reset":
                    writer.transport.abort()
                    return
                if fault in ERRORS:
                    status, kind, code, message = ERRORS[fault]
                    xml = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
                           f"<Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>")
                    writer.write(response(status, xml.encode()))
                    await writer.drain()
                    continue
                if fault == "delay":
                    await asyncio.sleep(self.delay)
                answer = await self.forward(head, body)
                entry[4] = "done " + outcome(answer)
                if fault == "lost":
                    writer.transport.abort()
                    return
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def forward(self, head, body):
        """The request to IAM as sent (one connection per request); its answer, re-framed."""
        lines = head.split(b"\r\n")
        kept = [h for h in lines[1:] if h.split(b":")[0].strip().lower()
                not in (b"connection", b"content-length", b"transfer-encoding")]
        out = b"\r\n".join([lines[0], *kept, b"connection: close", b"content-length: %d" % len(body)]) + b"\r\n\r\n"
        r, w = await asyncio.open_connection(self.host, self.port)
        w.write(out + body)
        await w.drain()
        msg = await read_message(r, request=False)
        w.close()
        head, body = msg
        status = int(head.split(b" ", 2)[1])
        ctype = next((h.split(b":", 1)[1].strip() for h in head.split(b"\r\n")[1:]
                      if h.lower().startswith(b"content-type:")), b"text/xml")
        return response(status, body, ctype)

    def summary(self):
        faults = Counter()
        for (fault, _), n in self.stats.items():
            faults[fault] += n
        total = sum(faults.values())
        injected = total - faults["ok"]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(faults.items()) if k != "ok")
        return f"{total} requests, {injected} faults ({100 * injected / max(total, 1):.1f} %): {detail}"

    def history(self, name, t0):
        """The journal lines naming `name`, times relative to `t0` (time.monotonic())."""
        return [f"{t - t0:8.2f} s {fault:8} {action} {target} ({phase})"
                for t, fault, action, target, phase in list(self.journal) if target == name]

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


def outcome(answer):
    """'200', or '409 EntityAlreadyExists': an answer's status and IAM error code."""
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")[9:12]
    code = re.search(rb"<Code>([^<]*)</Code>", answer)
    return f"{status} {code.group(1).decode()}" if code and status != "200" else status


def response(status, body, ctype=b"text/xml"):
    reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 409: b"Conflict",
              500: b"Internal Server Error", 503: b"Service Unavailable"}.get(status, b"Status")
    return (b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n"
            % (status, reason, ctype, len(body))) + body


async def read_message(reader, request):
    """(head, body) of one HTTP/1.1 message; None at a clean end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise
    head = head[:-4]
    headers = {h.split(b":", 1)[0].strip().lower(): h.split(b":", 1)[1].strip()
               for h in head.split(b"\r\n")[1:] if b":" in h}
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    elif request:
        body = b""
    else:
        body = await reader.read()  # until the server closes
    return head, body


if __name__ == "__main__":
    proxy = FaultProxy(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.15)
    print(proxy.url, flush=True)
    threading.Event().wait()
