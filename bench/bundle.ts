/**
 * Lambda bundle figures for `npm run bench`: every function's bundle as deployed, and the webhook function bundled
 * four ways (SDK bundled or taken from the runtime, minified or not) with the cold init of each, so the deployed
 * choice is checked against the alternatives in the same run.
 */
import { build, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_BUNDLING } from '#lib/constructs/zoomlake-function.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const HANDLERS = 'lambdas/handlers';
const WEBHOOK = `${HANDLERS}/zoom-webhook.handler.ts`;

/** One way of bundling a function. */
interface Variant {
  readonly name: string;
  /** The AWS SDK is left out of the bundle and taken from the Lambda runtime (CDK's default for Node.js 18 and later). */
  readonly runtimeSdk: boolean;
  readonly minify: boolean;
}

const DEPLOYED: Variant = { name: 'sdk_bundled', runtimeSdk: false, minify: LAMBDA_BUNDLING.minify };
const VARIANTS: readonly Variant[] = [
  DEPLOYED,
  { name: 'sdk_bundled_unminified', runtimeSdk: false, minify: false },
  { name: 'sdk_from_runtime', runtimeSdk: true, minify: true },
  { name: 'sdk_from_runtime_unminified', runtimeSdk: true, minify: false },
];

/** esbuild's options for LAMBDA_BUNDLING (what NodejsFunction passes on its command line), changed as `variant` says. */
function esbuildOptions(entry: string, variant: Variant): BuildOptions {
  const b = LAMBDA_BUNDLING;
  const aliases = b.esbuildArgs['--alias'].map((a) => a.split('=') as [string, string]);
  return {
    entryPoints: [entry],
    absWorkingDir: process.cwd(),
    bundle: true,
    platform: 'node',
    format: b.format,
    target: b.target,
    mainFields: b.mainFields,
    minify: variant.minify,
    keepNames: b.keepNames,
    sourcemap: b.sourceMap,
    banner: { js: b.banner },
    // Taking the SDK from the runtime also takes its credential chain: the alias only replaces a bundled one.
    external: variant.runtimeSdk ? ['@aws-sdk/*'] : b.externalModules,
    alias: variant.runtimeSdk ? {} : Object.fromEntries(aliases),
    write: false,
    logLevel: 'silent',
  };
}

async function bundle(entry: string, variant: Variant): Promise<Uint8Array> {
  const out = await build(esbuildOptions(entry, variant));
  return out.outputFiles![0]!.contents;
}

// What the ZoomWebhookApi construct and Lambda set, with made-up values (nothing is called at init).
const WEBHOOK_ENV = {
  NODE_NO_WARNINGS: '1',
  EVENT_BUS_NAME: 'b',
  LAKE_BUCKET_NAME: 'l',
  WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:s',
  REPLAY_WINDOW_SECONDS: '5400',
  MAX_BODY_BYTES: '2097152',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'zoom-webhook',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH0',
  AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
  AWS_SESSION_TOKEN: 'bench-session-token',
};

/**
 * Cold init of a bundle: a fresh Node.js process imports it and builds the clients from the environment, as the first
 * invocation does (wall-clock ms, and the process's CPU ms over the same stretch).
 */
function coldInit(file: string, cwd: string): { ms: number; cpuMs: number } {
  const script =
    'const c = process.cpuUsage(); const t = performance.now(); const m = await import(' +
    JSON.stringify(file) +
    '); m.fromEnv(); const u = process.cpuUsage(c); console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...WEBHOOK_ENV }, cwd });
  return JSON.parse(out.toString()) as { ms: number; cpuMs: number };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the bundle section of the bench. */
export async function bundleBench(emit: Emit, runs: number): Promise<void> {
  for (const file of readdirSync(HANDLERS)
    .filter((f) => f.endsWith('.handler.ts'))
    .sort()) {
    const code = await bundle(`${HANDLERS}/${file}`, DEPLOYED);
    emit('function_bundle_bytes', code.byteLength, 'bytes', { function: file.replace('.handler.ts', ''), variant: DEPLOYED.name });
  }

  // In the repository, so a bundle without the SDK finds it in node_modules as it would in the runtime.
  const dir = mkdtempSync(join(process.cwd(), '.bench-bundle-'));
  try {
    const files = new Map<string, { file: string; bytes: number }>();
    for (const variant of VARIANTS) {
      const code = await bundle(WEBHOOK, variant);
      const file = join(dir, `${variant.name}.mjs`);
      writeFileSync(file, code);
      files.set(variant.name, { file, bytes: code.byteLength });
    }
    // Variants take turns, so a burst of load from other processes falls on all of them alike.
    const times = new Map<string, { ms: number; cpuMs: number }[]>(VARIANTS.map((v) => [v.name, []]));
    for (let r = 0; r < runs; r++) for (const v of VARIANTS) times.get(v.name)!.push(coldInit(files.get(v.name)!.file, dir));
    const medians = VARIANTS.map((v) => ({
      v,
      ms: median(times.get(v.name)!.map((t) => t.ms)),
      cpuMs: median(times.get(v.name)!.map((t) => t.cpuMs)),
    }));
    for (const { v, ms, cpuMs } of medians) {
      const deployed = v === DEPLOYED;
      emit('webhook_bundle_bytes', files.get(v.name)!.bytes, 'bytes', { variant: v.name, deployed, ...(deployed ? { target_max: 300 * 1024 } : {}) });
      emit('webhook_cold_init_ms', ms, 'ms', {
        variant: v.name,
        deployed,
        cpu_ms: Number(cpuMs.toFixed(1)),
        runs,
        statistic: 'median',
        ...(deployed ? { target_max: 150 } : {}),
      });
    }
    const fastest = medians.reduce((a, b) => (b.ms < a.ms ? b : a));
    emit('webhook_cold_init_fastest_variant', fastest.ms, 'ms', { variant: fastest.v.name, deployed: DEPLOYED.name });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
