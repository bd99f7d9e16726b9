// For development before (or without) the Magpie server's own /chat/ serving: serves im-web/chat/dist under
// /chat/ with a config.json pointing at this origin, and proxies the account API (/v1/...) and the LSB
// (/lsb/... -> /...) to a running Magpie, so the page needs no CORS. Used when MAGPIE_WEB_DIST=1.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = resolve(fileURLToPath(new URL('../../chat/dist', import.meta.url)));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Starts the server on a free loopback port; resolves with { url (of /chat/), close() }. */
export async function startDistServer({ accountUrl, lsbUrl }) {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: run "npm run build -w sdk && npm run build -w chat" in im-web first`);
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/v1/')) return proxy(req, res, accountUrl, url.pathname + url.search);
    if (url.pathname.startsWith('/lsb/')) return proxy(req, res, lsbUrl, url.pathname.slice(4) + url.search);
    if (url.pathname === '/chat/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ accountUrl: '', lsbUrl: '/lsb' }));
    }
    if (!url.pathname.startsWith('/chat/')) {
      res.writeHead(302, { location: '/chat/' });
      return res.end();
    }
    const rel = normalize(decodeURIComponent(url.pathname.slice('/chat/'.length)) || 'index.html');
    const file = join(DIST, rel);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/chat/`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

function proxy(req, res, base, path) {
  const target = new URL(path, base);
  const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'BAD_GATEWAY', message: `${target} failed: ${e.message}` }));
  });
  req.pipe(upstream);
}
