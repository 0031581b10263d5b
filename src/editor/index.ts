/**
 * `journey-engine/editor`: the framework-free model of a visual journey editor. A journey
 * document is the source of truth; {@link toGraph} shows it as nodes (one per step, one handle
 * per outgoing transition) and edges, and every edit is a pure document → document function
 * returning `{ ok: true, doc }` or a coded refusal — which is what undo/redo and copy/paste are
 * built on. Diagnostics and stats are placed on nodes and fields; {@link layout} places steps
 * that have no position. Imports only the model and the validator (no React); docs/editor.md.
 *
 * @packageDocumentation
 */
export { toGraph, fromGraph } from './graph.js';
export { layout, LAYOUT_COLUMN_WIDTH, LAYOUT_ROW_HEIGHT, type LayoutOptions } from './layout.js';
export { palette, defaultConfig, type PaletteEntry } from './palette.js';
export { diagnosticsByStep, type DiagnosticsByStep, type StepDiagnostic } from './diagnostics.js';
export { statsByStep, type NodeStats, type StepStatsInput } from './stats.js';
export { addStep, deleteStep, renameStep, moveStep, setField, setJourneyField, type AddStepOptions, type DeleteStepOptions } from './step-edits.js';
export { connect, canConnect, disconnect, reconnect, insertOnEdge, type InsertOptions } from './connections.js';
export { copySteps, pasteSteps, type EditorClipboard, type PasteOptions } from './clipboard.js';
export { createHistory, pushHistory, undo, redo, HISTORY_LIMIT, type EditorHistory } from './history.js';
export { NEXT_HANDLE } from './read-steps.js';
export type { JsonPath } from './immutable.js';
export {
  EDIT_REFUSAL_CODES,
  type Connection,
  type DraftStep,
  type EditorEdge,
  type EditorGraph,
  type EditorHandle,
  type EditorNode,
  type EditorPosition,
  type EditRefusal,
  type EditRefusalCode,
  type EditResult,
  type HandleRef,
  type JourneyDraft,
} from './types.js';
