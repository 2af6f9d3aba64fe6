// Two-way round trips through a WebSocket API: CONNECTIONS clients each send a message, wait for the backend's
// reply (routed by $request.body.action), and send the next, for SECONDS. Prints round trips per second.
// Usage: NODE_PATH=/usr/share/nodejs node roundtrip.js ws://127.0.0.1:PORT/ws CONNECTIONS SECONDS
const WebSocket = require('ws');
const [url, connArg, secondsArg] = process.argv.slice(2);
const connections = +connArg, seconds = +secondsArg;
const message = JSON.stringify({ action: 'echo', text: 'x'.repeat(64) });
const all = [];
let done = 0, open = 0, closed = 0, started = 0, stopAt = 0;
for (let i = 0; i < connections; i++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  all.push(ws);
  ws.on('open', () => {
    if (++open < connections) return;
    started = Date.now();
    stopAt = started + seconds * 1000;
    for (const s of all) s.send(message);
  });
  ws.on('message', () => {
    done++;
    if (Date.now() < stopAt) ws.send(message);
    else ws.close(1000);
  });
  ws.on('close', () => {
    if (++closed < connections) return;
    const t = (Date.now() - started) / 1000;
    console.log(`connections=${connections} round_trips=${done} seconds=${t.toFixed(2)} per_second=${Math.round(done / t)}`);
    process.exit(0);
  });
  ws.on('error', (e) => { console.log('ERROR ' + e.message); process.exit(1); });
}
