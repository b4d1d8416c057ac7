// The floor for any gateway on this machine: a bare HTTP pass-through that reads the request,
// makes the same upstream GET with undici and answers its body as JSON. bench/query.ts runs it
// beside the gateway, so the gateway's overhead can be split into the extra HTTP hop (which no
// gateway avoids) and what GraphQL adds on top.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const agent = new Agent({ keepAliveTimeout: 10_000 });
const upstream = process.env.UPSTREAM;

const server = createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const { variables } = JSON.parse(Buffer.concat(chunks).toString());
    const response = await request(`${upstream}/api/bulk/syncs/${variables.id}/status`, {
      dispatcher: agent,
      headers: { authorization: req.headers.authorization, 'x-polytomic-version': '2025-09-18' },
    });
    const body = JSON.stringify({ data: await response.body.json() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } catch {
    res.writeHead(502).end();
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('pass-through ready'));
process.on('SIGTERM', () => server.close(() => agent.close()));
