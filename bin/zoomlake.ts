import { main } from '#local/cli/main.ts';

let stopped: Promise<void> | undefined;

/**
 * The first SIGINT/SIGTERM asks a long-running command to stop. The handlers stay installed until the process
 * ends: a second signal during shutdown would otherwise get Node's default action and abandon the final flush.
 * Commands that never wait for a stop keep the default action (Ctrl-C ends them).
 */
function untilStopped(): Promise<void> {
  stopped ??= new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!signalled) {
        signalled = true;
        return resolve();
      }
      process.stderr.write(`zoomlake: ${signal} received again; still writing buffered events, it stops by itself when done\n`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return stopped;
}

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  untilStopped,
});
