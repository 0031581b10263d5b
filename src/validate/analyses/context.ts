import type { JourneyDocument, Step } from '../../model/types.js';
import type { Diagnostic, ValidateOptions } from '../diagnostics.js';
import type { JourneyGraph } from '../graph.js';

/** What every graph analysis reads. Analyses append to `out` and never throw on valid models. */
export interface AnalysisContext {
  readonly journey: JourneyDocument;
  readonly steps: readonly Step[];
  readonly graph: JourneyGraph;
  readonly options: ValidateOptions;
  readonly out: Diagnostic[];
}

/** `"id"` of a step for messages. */
export function quote(id: string): string {
  return JSON.stringify(id);
}
