// Opens COUNT WebSocket API connections (CONCURRENCY handshakes at a time), then obeys stdin lines:
// "hello" sends one message per connection, "close" closes them all. Prints READY, RECEIVED and CLOSED counts.
// Usage: NODE_PATH=/usr/share/nodejs node load.js ws://127.0.0.1:PORT/ws COUNT CONCURRENCY
const WebSocket = require('ws');
const readline = require('readline');
const [url, countArg, concurrencyArg] = process.argv.slice(2);
const count = +countArg, concurrency = +(concurrencyArg || 100);
const sockets = [];
let started = 0, opened = 0, received = 0, closed = 0;
const t0 = Date.now();
function openOne() {
  if (started >= count) return;
  started++;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('open', () => { sockets.push(ws); if (++opened === count) console.log(`READY ${opened} ${(Date.now() - t0) / 1000}s`); openOne(); });
  ws.on('message', () => { if (++received === count) console.log(`RECEIVED ${received}`); });
  ws.on('close', () => { if (++closed === count) { console.log(`CLOSED ${closed}`); process.exit(0); } });
  ws.on('error', (e) => console.log('ERROR ' + e.message));
}
for (let i = 0; i < concurrency; i++) openOne();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'hello') for (const ws of sockets) ws.send('{"action":"register"}');
  if (line === 'close') for (const ws of sockets) ws.close(1000);
});
