/*
 * A failure local code reports to the person at the terminal; the CLI prints its message as the one line of
 * cli/errors.ts and exits 1. Here, not in cli/, so the pipeline and the report can throw it without importing the CLI.
 */

/** A failure at run time whose message already says what to do (exit code 1), e.g. a file that cannot be read. */
export class CliFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliFailure';
  }
}
