/**
 * `journey-engine/editor/react`: the journey editor as a React component on `@xyflow/react`.
 * `react`, `react-dom` and `@xyflow/react` are optional peer dependencies of journey-engine:
 * install them to use this entry. Styles: `import 'journey-engine/editor/style.css'`.
 */
export { JourneyEditor, type JourneyEditorProps, type EditorStepStats } from './journey-editor.js';
export {
  END_NODE_ID,
  PALETTE_KINDS,
  addStep,
  applyLayout,
  connect,
  deleteSteps,
  edgesOf,
  handlesOf,
  layoutPositions,
  moveStep,
  pasteSteps,
  renameStep,
  setField,
  stepsOf,
  type DocEdge,
  type EditResult,
  type FieldPath,
  type JourneyDoc,
  type RawStep,
  type StepHandle,
} from './doc.js';
