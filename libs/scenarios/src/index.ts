export * from './scenario-generator.js';
export * from './append-scenario.js';
export { Prng } from './prng.js';
