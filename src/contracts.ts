/**
 * The machine-readable contracts the package ships, as the files they are written to (see
 * scripts/generate-schemas.ts). Not part of the public API: hosts read the files, or call
 * `journeyJsonSchema` / `openApiDocument`.
 */
import { journeyJsonSchema } from './model/json-schema.js';

/** Each shipped file (path from the package root) and its exact text. */
export function shippedSchemaFiles(): Record<string, string> {
  return {
    'schema/journey.schema.json': `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`,
  };
}
