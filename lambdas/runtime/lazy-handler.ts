import type { Context } from 'aws-lambda';

/** Whether an invocation's second argument is Lambda's context (tests may call a handler without one). */
const isContext = (value: unknown): value is Context =>
  typeof value === 'object' && value !== null && typeof (value as { awsRequestId?: unknown }).awsRequestId === 'string';

/**
 * A Lambda entry point whose handler is built by `build` on the first invocation (reading the environment, creating
 * the clients) and kept for the container's life; a build that throws is tried again on the next invocation. Each
 * invocation's context is handed to `log` first, so every line it writes carries the request id.
 */
export function lazyHandler<A extends unknown[], R>(build: () => (...args: A) => R, log?: { addContext(context: Context): void }): (...args: A) => R {
  let live: ((...args: A) => R) | undefined;
  return (...args) => {
    const context: unknown = args[1];
    if (log && isContext(context)) log.addContext(context);
    live ??= build();
    return live(...args);
  };
}
