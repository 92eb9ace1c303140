// The masking engine's public surface; gateways and ingest import from here only.
export { compileMaskingProfile } from './plan.js';
export type { MaskingPlan, MaskingPlanOptions, MaskingProfile } from './plan.js';
export { compileDetectors, detectorGroups, maskText } from './detector-set.js';
export type { DetectorSet, TextMaskResult } from './detector-set.js';
export { compileColumnRules } from './column-rules.js';
export type { ColumnRuleConfig, ColumnRules, CompiledColumnRule } from './column-rules.js';
export { maskJson, maskJsonText, isSecretKey } from './json-masker.js';
export type { JsonMaskResult } from './json-masker.js';
export { maskSqlLiterals } from './sql-literals.js';
export type { SqlMaskOptions } from './sql-literals.js';
export { createStreamMasker } from './plan.js';
export type { StreamMasker, StreamMaskerOptions, StreamOutput } from './stream-masker.js';
export { detectorIds } from './types.js';
export type { ColumnAction, ColumnRef, Detector, DetectorId, Finding, MaskResult } from './types.js';
export { endsWithPasswordPrompt, INPUT_WITHHELD, withholdPromptInput } from './password-prompt.js';
