// A minimal LSP client over stdio for the benches: spawns dist/server.js, frames messages,
// answers server requests (configuration with defaults), and reports the server's peak RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export class LspClient {
  /** `root`: the checkout whose dist/server.js runs; `nodeArgs`: flags for node before it. */
  constructor(ws, root, nodeArgs = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, join(root, 'dist/server.js'), '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    this.buf = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.ws = ws;
    this.proc.stdout.on('data', (d) => this.onData(d));
  }
  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString('ascii'));
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8'));
      this.buf = this.buf.subarray(sep + 4 + len);
      this.onMessage(msg, performance.now());
    }
  }
  onMessage(msg, at) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.(msg);
      return;
    }
    if (msg.id !== undefined && msg.method) {
      // Server → client request: answer configuration with defaults, the rest with null.
      const result = msg.method === 'workspace/configuration' ? (msg.params.items ?? []).map(() => null) : null;
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    for (const l of [...this.listeners]) l(msg, at);
  }
  send(obj) {
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }
  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }
  /** `initialize` + `initialized`, resolved when the first analysis with taps is announced. */
  async start() {
    const rootUri = pathToFileURL(this.ws).href;
    await this.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'bench' }],
      capabilities: {
        textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown', 'plaintext'] } },
        workspace: { workspaceFolders: true, configuration: false },
      },
    });
    // The first analysis is done when a summary reports taps (the one right after the scan has none yet).
    const firstSummary = this.waitFor((m) => m.method === 'microvmNet/analysisSummary' && m.params && m.params.scanning === false && m.params.total > 0);
    this.notify('initialized', {});
    await firstSummary;
  }
  waitFor(pred, timeoutMs = 600_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error('timeout waiting for a server message'));
      }, timeoutMs);
      const l = (msg, at) => {
        if (!pred(msg)) return;
        clearTimeout(timer);
        this.listeners.delete(l);
        resolve({ msg, at });
      };
      this.listeners.add(l);
    });
  }
  rssMB() {
    try {
      const s = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) / 1024;
    } catch {
      return NaN;
    }
  }
  /** CPU time (user + system) the server has used so far, in ms (Linux /proc, 100 ticks/s). */
  cpuMs() {
    try {
      const fields = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return NaN;
    }
  }
  peakRssMB() {
    try {
      const s = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(s)[1]) / 1024;
    } catch {
      return NaN;
    }
  }
  async close() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await new Promise((r) => this.proc.once('exit', r));
  }
}


/** Median, p95 and max of a list of times. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1], n: s.length };
}

/** The edit site of the benches: the `m` of the first `id = "vm-` (toggled to `x` and back). */
export function editSite(text) {
  const at = text.indexOf('id = "vm-');
  const offset = at + 'id = "v'.length;
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}
