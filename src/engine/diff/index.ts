export { diffBoots, type BootDiff, type DiffRow, type WaterfallRow, type Change } from './diff';
export { diffJson, formatDiff, DIFF_SCHEMA, DIFF_SCHEMA_VERSION } from './json';
