/**
 * A Lambda entry point whose handler is built by `build` on the first invocation (reading the environment, creating
 * the clients) and kept for the container's life; a build that throws is tried again on the next invocation.
 */
export function lazyHandler<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let live: ((...args: A) => R) | undefined;
  return (...args) => {
    live ??= build();
    return live(...args);
  };
}
