const fastify = require('fastify')();
fastify.register(require('@fastify/cors'), {
  origin: true,
  credentials: true,
});
fastify.get('/data', async () => ({ ok: true }));
fastify.put('/data', async () => ({ saved: true }));
fastify.listen({ port: 3000 });
