import Fastify, { type FastifyInstance } from 'fastify';
import { toNodeListener, type HttpHandler } from '../../src/adapters/http/index.js';

/** Fastify 5: the handler reads the body itself, under its own size limit and error answers. */
export async function fastifyApp(handler: HttpHandler): Promise<FastifyInstance> {
  const app = Fastify();
  const listener = toNodeListener(handler);
  await app.register(async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (_request, _body, done) => done(null)); // leave the stream unread
    api.all('/api/v1/*', async (request, reply) => {
      reply.hijack(); // the listener writes the answer
      await listener(request.raw, reply.raw);
    });
  });
  return app;
}
