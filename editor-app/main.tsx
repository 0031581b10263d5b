/** The standalone editor page: the REST API's journeys in `<JourneyEditor>`. */
import '@xyflow/react/dist/style.css';
import '../src/editor/react/style.css';
import { createRoot } from 'react-dom/client';
import { EditorApp } from './app.js';

const meta = document.querySelector<HTMLMetaElement>('meta[name="journey-api-base"]');
const apiBase = (meta?.content || '/api/v1').replace(/\/+$/, '');
createRoot(document.getElementById('root')!).render(<EditorApp apiBase={apiBase} />);
