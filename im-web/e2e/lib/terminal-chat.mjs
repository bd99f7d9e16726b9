// Drives `magpie chat` (im-server ChatCommand), the Java SDK's terminal client over TCP: lines written to its
// stdin are sent (or run as /commands), and every line it prints is kept so tests can wait for one.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class TerminalChat {
  /**
   * Starts `java -jar <jar> chat --user <user> --password <password> --to <to>` against the given account API
   * and LSB, with its own device id, and waits until it printed "connected as".
   */
  static async start({ jar, user, password, to, accountUrl, lsbUrl, device, timeoutMs = 90_000 }) {
    const args = ['-jar', jar, 'chat', '--user', user, '--password', password, '--to', to,
      '--api', accountUrl, '--lsb', lsbUrl, '--device', device];
    const chat = new TerminalChat(`${user}@${device}`, spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    await chat.waitFor(/^connected as /, timeoutMs);
    return chat;
  }

  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.lines = [];
    this.waiters = new Set();
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      this.exitCode = code ?? signal;
      resolve(this.exitCode);
      for (const w of this.waiters) w.check();
    }));
    for (const [stream, tag] of [[child.stdout, ''], [child.stderr, 'stderr: ']]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(tag + line);
        if (process.env.MAGPIE_E2E_VERBOSE) console.log(`[${this.name}] ${tag}${line}`);
        for (const w of this.waiters) w.check();
      });
    }
  }

  /** Types a line and Enter. */
  send(line) {
    this.child.stdin.write(line + '\n');
  }

  /** The lines printed so far that match re. */
  matching(re) {
    return this.lines.filter((l) => re.test(l));
  }

  /** Resolves with the first printed line (earlier ones included) that matches re; rejects after timeoutMs. */
  waitFor(re, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const hit = this.lines.find((l) => re.test(l));
          if (hit !== undefined) {
            done();
            resolve(hit);
          } else if (this.exitCode !== undefined) {
            done();
            reject(new Error(`${this.name} exited (${this.exitCode}) before printing ${re}; it printed:\n${this.tail()}`));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} printed no line matching ${re} within ${timeoutMs} ms; it printed:\n${this.tail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  tail(n = 30) {
    return this.lines.slice(-n).map((l) => '  | ' + l).join('\n');
  }

  /** Ctrl-D (end of input), then SIGTERM if it did not exit within 10 s. */
  async stop() {
    if (this.exitCode !== undefined) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
