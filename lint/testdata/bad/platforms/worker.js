export default {
  async fetch(request, env) {
    const response = await fetch(request);
    const r = new Response(response.body, response);
    r.headers.set('Access-Control-Allow-Origin', 'https://app.example.com');
    return r;
  },
};
