import { loadConfig } from '../../src/config.js';

/** The gateway's configuration with no variable set: every default written once, in config.ts. */
export const DEFAULTS = loadConfig({});
