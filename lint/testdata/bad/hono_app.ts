import { Hono } from 'hono';
import { cors } from 'hono/cors';

const app = new Hono();
app.get('/api/data', (c) => c.json({ ok: true }));
app.use('/api/*', cors({
  origin: (origin) => origin,
  credentials: true,
}));
export default app;
