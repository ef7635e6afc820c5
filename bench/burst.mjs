// The server under a burst of edits: `dist/server.js --stdio` on a workspace, one file open, N
// one-character edits sent back to back (each written as soon as the previous one is: no waiting
// for diagnostics), a hover and a code-action request after every `--every` edits, timed from
// send to answer. The last edit makes an interface name too long, so the diagnostics that include
// it are recognisable: "final" is the time from sending it to the publishDiagnostics carrying
// `interface-name-too-long`. RSS of the server is sampled every 100 edits.
//
//   node bench/burst.mjs --ws DIR --file FILE [--root CHECKOUT] [--edits 2000] [--every 20]
//                        [--node-args "--max-old-space-size=512"] [--gap-ms 0]
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { editSite, LspClient, stats } from './lspClient.mjs';

const args = process.argv.slice(2);
const opt = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = resolve(opt('--root', join(dirname(fileURLToPath(import.meta.url)), '..')));
const ws = resolve(opt('--ws'));
const file = resolve(opt('--file'));
const editCount = Number(opt('--edits', '2000'));
const every = Number(opt('--every', '20'));
const gapMs = Number(opt('--gap-ms', '0'));
const nodeArgs = opt('--node-args', '').split(' ').filter(Boolean);

const pause = (ms) => new Promise((r) => (ms > 0 ? setTimeout(r, ms) : setImmediate(r)));

async function main() {
  const client = new LspClient(ws, root, nodeArgs);
  const uri = pathToFileURL(file).href;
  const t0 = performance.now();
  await client.start();
  const coldMs = performance.now() - t0;
  const rssAfterCold = client.rssMB();
  const text = readFileSync(file, 'utf8');
  const site = editSite(text);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nix', version: 1, text } });
  await new Promise((r) => setTimeout(r, 300));
  const warm = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: site.line, character: site.character + 2 } });
  await new Promise((r) => setTimeout(r, 300));

  const hovers = [];
  const actions = [];
  let hoverAnswered = 0;
  const inflight = [];
  const rss = [];
  const whole = { start: { line: 0, character: 0 }, end: { line: site.line + 40, character: 0 } };
  let final = null;
  let lastSent = 0;
  let publishes = 0;
  const countPublishes = (m) => {
    if (m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri) publishes++;
  };
  client.listeners.add(countPublishes);
  const cpuBefore = client.cpuMs();
  const finalSeen = client.waitFor(
    (m) =>
      m.method === 'textDocument/publishDiagnostics' &&
      m.params.uri === uri &&
      m.params.diagnostics.some((d) => d.code === 'interface-name-too-long'),
    600_000,
  );
  for (let i = 0; i < editCount; i++) {
    const last = i === editCount - 1;
    const change = last
      ? { range: { start: site, end: { line: site.line, character: site.character + 1 } }, text: 'qqqqqqqqqqqqqqqqq' }
      : { range: { start: site, end: { line: site.line, character: site.character + 1 } }, text: i % 2 === 0 ? 'x' : 'm' };
    lastSent = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [change] });
    if (i % every === every - 1 && !last) {
      const th = performance.now();
      inflight.push(
        client.request('textDocument/hover', { textDocument: { uri }, position: { line: site.line, character: site.character + 2 } }).then((res) => {
          hovers.push(performance.now() - th);
          if (res.result) hoverAnswered++;
        }),
      );
      const tc = performance.now();
      inflight.push(
        client.request('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [] } }).then(() => {
          actions.push(performance.now() - tc);
        }),
      );
    }
    if (i % 100 === 0) rss.push(client.rssMB());
    await pause(gapMs);
  }
  const { at } = await finalSeen;
  final = at - lastSent;
  await Promise.all(inflight);
  const serverCpuMs = client.cpuMs() - cpuBefore;
  const peakRssMB = client.peakRssMB();
  const endRssMB = client.rssMB();
  await client.close();
  const out = {
    edits: editCount,
    gapMs,
    nodeArgs,
    coldMs,
    warmHoverAnswered: warm.result !== null,
    finalDiagnosticsMs: final,
    serverCpuMs,
    serverCpuPerEditMs: serverCpuMs / editCount,
    publishes,
    hover: stats(hovers),
    hoverAnswered,
    codeAction: stats(actions),
    rssAfterColdMB: rssAfterCold,
    rssMaxSampledMB: Math.max(...rss.filter(Number.isFinite)),
    endRssMB,
    peakRssMB,
  };
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
