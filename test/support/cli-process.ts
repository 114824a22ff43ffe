import { spawn, type ChildProcess } from 'node:child_process';
import { main } from '#local/cli/main.ts';

const BIN = new URL('../../bin/zoomlake.mjs', import.meta.url).pathname;

/** The real `zoomlake` binary running as a child process, its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout (or stderr) holds `text`; fails after `timeoutMs` or when the process exits first. */
  waitFor(text: string | RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<void>;
  /** Everything printed so far, stdout and stderr interleaved as they arrived. */
  output(): string;
  /** The exit code, or the signal that ended it; 'timeout' (and the process killed) after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | string>;
}

/** Starts `zoomlake <args>` with `env` added to the test's environment. */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let all = '';
  child.stdout!.setEncoding('utf8').on('data', (t: string) => {
    out += t;
    all += t;
  });
  child.stderr!.setEncoding('utf8').on('data', (t: string) => {
    err += t;
    all += t;
  });
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let done = false;
  void exit.then(() => {
    done = true;
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    async waitFor(text, timeoutMs = 30_000, stream = 'stdout') {
      const has = () => {
        const s = stream === 'stdout' ? out : err;
        return typeof text === 'string' ? s.includes(text) : text.test(s);
      };
      const deadline = Date.now() + timeoutMs;
      while (!has()) {
        if (done) throw new Error(`zoomlake exited before printing ${String(text)}; stdout: ${out}; stderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; stdout: ${out}; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async exited(timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('timeout');
        }, timeoutMs);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `zoomlake <argv>` in this process (the CLI's main, as bin/zoomlake.ts calls it) and collects what it printed. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: { ...env },
    untilStopped: async () => undefined,
  });
  return { code, out, err };
}
