/**
 * The journey REST API (`journey-engine/http`): a fetch-style handler over an engine, and an
 * adapter to mount it on `node:http`.
 *
 * @packageDocumentation
 */
export { createHttpHandler, DEFAULT_MAX_BODY_BYTES, type HttpHandler, type HttpHandlerOptions } from './http-handler.js';
export { toNodeListener, type NodeListener } from './node-listener.js';
export type { NodeRequest, NodeResponse } from './node-http.js';
export { HTTP_STATUS_BY_CODE, type ErrorBody } from './http-errors.js';
export type { CorsOptions } from './cors.js';
export { createEditorHandler, type EditorFileReader, type EditorHandlerOptions } from './editor-handler.js';
export { openApiDocument, type OpenApiDocument, type OpenApiOptions } from './openapi.js';
