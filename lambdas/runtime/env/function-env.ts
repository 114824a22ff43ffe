// zod/mini tree-shakes: the full zod build alone would be ~450 KB of the webhook function's bundle (npm run bench).
import * as z from 'zod/mini';

/*
 * Each function's environment is a zod schema in this folder: the handler parses it at cold start, and the construct
 * that sets it is typed by it (FunctionEnv), so a variable renamed or added on one side fails the type check on the
 * other. One file per function: a handler's bundle carries only its own schema.
 */

/**
 * The variables a construct sets for a function whose handler parses them with `schema`: its keys, each a string (the
 * schema's own literal or enum strings where it has them; numbers go as their decimal text).
 */
export type FunctionEnv<S extends z.core.$ZodType> = {
  readonly [K in keyof z.core.input<S>]: z.core.input<S>[K] extends string ? z.core.input<S>[K] : string;
};

/** A variable that must be set and not empty. */
export const nonEmpty = z.string().check(z.minLength(1));
/** A whole number above zero, from its decimal text. */
export const positiveInt = z.coerce.number().check(z.int(), z.positive());
/** The SHA-256 (hex) of the detections file deployed beside the handler. */
export const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/));
/** A share of the account's daily Zoom API budget, above 0 and at most 1, from its decimal text. */
export const budgetShare = z.coerce.number().check(z.positive(), z.lte(1));
/** A switch set as the text `true` or `false`. */
export const flag = z.enum(['true', 'false']);
