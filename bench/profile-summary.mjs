// Summarises a V8 .cpuprofile: self time and inclusive time per function (name + line), top N.
//   node bench/profile-summary.mjs FILE.cpuprofile [N] [--from-ms A --to-ms B | --last-ms C]
import { readFileSync } from 'node:fs';

const [file, nArg] = process.argv.slice(2);
const args = process.argv.slice(2);
const opt = (f) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : undefined);
const last = opt('--last-ms');
let from = opt('--from-ms');
const to = opt('--to-ms');
const top = Number(nArg ?? 30) || 30;
const prof = JSON.parse(readFileSync(file, 'utf8'));
if (last !== undefined) from = (prof.endTime - prof.startTime) / 1000 - last;
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const incl = new Map();
let t = prof.startTime;
let total = 0;
const key = (n) => `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber + 1}`;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i] ?? 0) / 1000;
  t += prof.timeDeltas[i] ?? 0;
  const ms = (t - prof.startTime) / 1000;
  if (from !== undefined && ms < from) continue;
  if (to !== undefined && ms > to) continue;
  total += dt;
  let n = nodes.get(prof.samples[i]);
  self.set(key(n), (self.get(key(n)) ?? 0) + dt);
  const seen = new Set();
  while (n) {
    const k = key(n);
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
    n = nodes.get(parent.get(n.id));
  }
}
const show = (m, title) => {
  console.log(`-- ${title} (total ${total.toFixed(0)} ms)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms  ${k}`);
};
show(self, 'self');
show(incl, 'inclusive');
