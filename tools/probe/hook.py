"""A before-send hook that allows everything (answers {} at once), for measuring the hook's cost
(docs/benchmarks.md, "Before and after the 5 Dec morning session"). Listens on 127.0.0.1:28300.
Python 3 standard library only. Keep-alive, and TCP_NODELAY: without it Python writes headers and body in
two writes and Nagle's algorithm holds the body for the caller's delayed ACK (40 ms per request)."""
import http.server, socketserver
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0")); self.rfile.read(n)
        body = b"{}"
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
S(("127.0.0.1", 28300), H).serve_forever()
