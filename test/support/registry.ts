import { loadRegistry } from '../../lib/detections/load.ts';

/** The repository's detection registry with default parameters, as tests build their dependencies from it. */
export const REGISTRY = loadRegistry();
