# 3 WebSocket connections, never LOGIN, never read; each sends 125-byte pings for 5 s
import socket, threading, time, subprocess, sys, os, base64
sys.path.insert(0, '/work/main/tools/probe'); import probe as P
pid = sys.argv[1]
def rss(): return subprocess.run(['ps', '-o', 'rss=', '-p', pid], capture_output=True, text=True).stdout.strip() or 'GONE'
def flood(i, out):
    c = P.Conn(7001, ws=True, rcvbuf=4096, reader=False, name=f'anon{i}'); c.sock.settimeout(3)
    blk = P.ws_frame(9, b'p' * 125) * 1000; n = 0; t0 = time.time()
    try:
        while time.time() - t0 < 6: c.send_raw_socket(blk); n += 1000
    except OSError as e: pass
    out[i] = f'{n} pings ({n*131>>20} MiB)'
out = {}; ts = [threading.Thread(target=flood, args=(i, out)) for i in range(3)]; [t.start() for t in ts]
t0 = time.time()
while any(t.is_alive() for t in ts): print(f'{time.time()-t0:4.1f}s server rss {rss()} KB', flush=True); time.sleep(1)
time.sleep(2); print(out, 'server rss now', rss())
