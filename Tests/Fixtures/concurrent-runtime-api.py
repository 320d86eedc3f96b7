"""A Runtime API for the concurrency tests (ConcurrencyTests): hands out one invocation
per payload to concurrent GET /next callers and records what happens to each.

    python3 concurrent-runtime-api.py PAYLOAD...

Prints "port N" on stdout once it listens on 127.0.0.1. Each GET /next blocks until an
invocation is left (forever after the last). /response and /error are matched by the id
in the path, as Lambda Managed Instances match them (400 for an unknown or already
answered id). GET /report answers the record as JSON: per invocation its id, payload,
when it was handed out and answered (ms), the answer's kind, body and error type; the
in-flight count and its maximum; the init errors posted; the client ports /next came
from (one per Runtime API connection); the /next calls answered 500.

The payload "!500" is not an invocation: the /next that takes it is answered 500
(ServiceException), as a Runtime API in trouble would, and the caller must try again.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/"
lock = threading.Condition()
waiting = [{"id": "req-%04d" % i, "payload": p} for i, p in enumerate(sys.argv[1:])]
invocations = {}
state = {"in_flight": 0, "max_in_flight": 0, "init_errors": [], "next_ports": [], "unknown_answers": 0,
         "next_errors": 0}


def now_ms():
    return int(time.time() * 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/report":
            with lock:
                report = dict(state, invocations=list(invocations.values()), left=len(waiting))
                self.reply(200, json.dumps(report).encode(), [("Content-Type", "application/json")])
            return
        if self.path != PREFIX + "invocation/next":
            self.reply(404)
            return
        with lock:
            state["next_ports"].append(self.client_address[1])
            while not waiting:
                lock.wait()
            event = waiting.pop(0)
            if event["payload"] == "!500":
                state["next_errors"] += 1
                self.reply(500, b'{"errorMessage":"try again","errorType":"ServiceException"}',
                           [("Content-Type", "application/json")])
                return
            record = {"id": event["id"], "payload": event["payload"], "handed_out_ms": now_ms()}
            invocations[event["id"]] = record
            state["in_flight"] += 1
            state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        self.reply(200, event["payload"].encode(), [
            ("Lambda-Runtime-Aws-Request-Id", event["id"]),
            ("Lambda-Runtime-Deadline-Ms", str(now_ms() + 60000)),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:concurrency"),
            ("Lambda-Runtime-Trace-Id", "Root=1-00000000-%s;Sampled=0" % event["id"]),
            ("Content-Type", "application/json"),
        ])

    def do_POST(self):
        body = self.body()
        if self.path == PREFIX + "init/error":
            with lock:
                state["init_errors"].append({"type": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                             "body": body.decode("utf-8", "replace")})
            self.reply(202, b'{"status":"OK"}')
            return
        parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX) else []
        if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
            self.reply(404)
            return
        with lock:
            record = invocations.get(parts[1])
            if record is None or "answered_ms" in record:
                state["unknown_answers"] += 1
                self.reply(400, b'{"errorType":"InvalidRequestID"}')
                return
            record.update(answered_ms=now_ms(), kind=parts[2], body=body.decode("utf-8", "replace"),
                          error_type=self.headers.get("Lambda-Runtime-Function-Error-Type"))
            state["in_flight"] -= 1
        self.reply(202, b'{"status":"OK"}')


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("port", server.server_address[1], flush=True)
server.serve_forever()
