/**
 * `journey-engine/editor/react`: the journey editor as a React component on `@xyflow/react`,
 * over the graph model of `journey-engine/editor`. `react`, `react-dom` and `@xyflow/react` are
 * optional peer dependencies of journey-engine: install them to use this entry. Styles:
 * `import 'journey-engine/editor/style.css'`.
 */
export { JourneyEditor, type JourneyEditorProps, type EditorStepStats } from './journey-editor.js';
export { END_NODE_ID, dagreLayout, type JourneyDoc } from './doc.js';
