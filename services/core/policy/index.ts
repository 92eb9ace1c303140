export { compilePolicy, type PolicyInput } from './compile.js';
export type { Denial, Grant, Policy, RecordingMode } from './types.js';
