# WebSocket ping flood from a client that never reads: is the PONG output bounded (max-outbound-bytes 1 MiB)?
import sys, time, socket, subprocess
sys.path.insert(0, '/work/main/tools/probe')
import probe as P
pid = int(sys.argv[1]); total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
class A: pass
a = A(); a.api, a.lsb, a.tcp, a.ws, a.ws_path, a.internal, a.health, a.pid = 8081, 8080, 7000, 7001, '/ws', 7002, None, pid
env = P.Env(a)
u = env.register('pinger')
c = P.Conn(7001, ws=True, rcvbuf=4096, name='pinger')
print('login', P.desc(c.login(env.session(u, 'p')['token'])))
c.pause(); c.send(P.PING); time.sleep(0.5)
print('heap before (after GC):', P.heap_used_kb(pid, gc=True), 'KB  rss', P.rss_kb(pid), 'KB')
blk = P.ws_frame(9, b'p' * 125) * 1000
c.sock.settimeout(10); sent = 0; t0 = time.time()
try:
    while sent < total:
        c.send_raw_socket(blk); sent += 1000
        if sent % 200_000 == 0:
            print(f'  {sent} pings ({sent*131>>20} MiB) in {time.time()-t0:.1f}s; server side {P.server_side_state(7001, c.local_port)}; heap {P.heap_used_kb(pid)} KB rss {P.rss_kb(pid)} KB', flush=True)
except (OSError, socket.timeout) as e:
    print('send stopped:', repr(e))
print(f'sent {sent} pings = {sent*131>>20} MiB in {time.time()-t0:.1f}s; server side {P.server_side_state(7001, c.local_port)}')
print('heap now (after GC):', P.heap_used_kb(pid, gc=True), 'KB  rss', P.rss_kb(pid), 'KB')
c.close(); time.sleep(2)
print('after close (after GC):', P.heap_used_kb(pid, gc=True), 'KB  rss', P.rss_kb(pid), 'KB')
