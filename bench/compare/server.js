// express-pouchdb (LevelDB on disk under DIR) as its own process on 127.0.0.1,
// on a free port: prints {"port": P} once listening. GET /_bench/stats answers
// the bytes that crossed its sockets (HTTP headers included) and its peak RSS.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const PouchDB = require('pouchdb-node');
const expressPouchDB = require('express-pouchdb');

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
process.chdir(dir);  // express-pouchdb writes its log beside the databases
const app = expressPouchDB(PouchDB.defaults({ prefix: path.join(dir, '/') }), {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
  logPath: path.join(dir, 'log.txt'),
});

function peakRssKb() {
  const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}

let closedBytes = 0;
const open = new Set();
const server = http.createServer((req, res) => {
  if (req.url === '/_bench/stats') {
    let bytes = closedBytes;
    for (const s of open) bytes += s.bytesRead + s.bytesWritten;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ bytes, peak_rss_kb: peakRssKb() }));
    return;
  }
  app(req, res);
});
server.on('connection', (socket) => {
  open.add(socket);
  socket.on('close', () => {
    closedBytes += socket.bytesRead + socket.bytesWritten;
    open.delete(socket);
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
