import sys, time, uuid
sys.path.insert(0, '/work/main/tools/probe')
import probe as P
class A: pass
a = A(); a.api, a.lsb, a.tcp, a.ws, a.ws_path, a.internal, a.health, a.pid = 8081, 8080, 7000, 7001, '/ws', 7002, None, None
env = P.Env(a)
victim = env.register('victim'); friend = env.register('friend')
s1 = env.session(victim, 'phone')                       # the "thief" holds this token
old = P.Conn(7000, name='old'); print('old login:', P.desc(old.login(s1['token'])))
fc = env.connect(friend, 'f1', name='friend')
s2 = env.session(victim, 'phone')                       # the owner logs the same device in again
print('second HTTP login of device phone: ok, new session')
k = old.wait_for(lambda f: f['cmd'] == P.KICK, 40)
print('old connection after 40 s: KICK =', P.desc(k), ' closed =', old.closed_at is not None)
print('old token at a gate now:', P.gate_login(env, s1['token'])[1])
print('old token on the API now:', P.http_req('GET', 8081, f"/v1/accounts/{friend['uid']}", auth=P.bearer(s1['token'])).status)
cm = 'after-' + uuid.uuid4().hex[:6]
print('old connection SENDs to friend:', P.desc(old.request(P.SEND, P.send_body(cm, P.SINGLE, friend['uid'], 'sent on a revoked session'))))
cm2 = 'to-victim-' + uuid.uuid4().hex[:6]
print('friend SENDs to victim:', P.desc(fc.request(P.SEND, P.send_body(cm2, P.SINGLE, victim['uid'], 'secret for the victim'))))
got = old.wait_for(lambda f: f['cmd'] == P.PUSH and any(m.get('client_msg_id') == cm2 for m in f['body'].get('messages', [])), 10)
print('old (revoked) connection receives the friend message:', got is not None)
new = P.Conn(7000, name='new'); print('new token gate login:', P.desc(new.login(s2['token'])))
k = old.wait_for(lambda f: f['cmd'] == P.KICK, 5)
print('old connection once the new token logs in on a gate:', P.desc(k), 'closed =', old.wait_closed(3))
