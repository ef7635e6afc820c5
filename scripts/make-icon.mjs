// Writes media/icon.png (128×128, the marketplace icon): a bridge with three taps and VMs, drawn
// pixel by pixel and encoded as PNG with zlib, so no image tool or download is needed.
// Usage: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const pixels = Buffer.alloc(SIZE * SIZE * 4);
const BACKGROUND = [30, 42, 56, 255];
const BRIDGE = [86, 156, 214, 255];
const TAP = [220, 220, 220, 255];
const VM = [78, 201, 176, 255];

function fill(x0, y0, w, h, color, radius = 0) {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const dx = Math.max(x0 + radius - x - 0.5, 0, x - (x0 + w - radius) + 0.5);
      const dy = Math.max(y0 + radius - y - 0.5, 0, y - (y0 + h - radius) + 0.5);
      if (radius && dx * dx + dy * dy > radius * radius) continue;
      pixels.set(color, (y * SIZE + x) * 4);
    }
  }
}

fill(0, 0, SIZE, SIZE, BACKGROUND, 22);
fill(20, 22, 88, 20, BRIDGE, 5); // the bridge
for (const x of [26, 58, 90]) {
  fill(x + 5, 42, 2, 18, TAP); // port
  fill(x - 2, 60, 16, 14, TAP, 3); // tap
  fill(x + 5, 74, 2, 14, TAP);
  fill(x - 6, 88, 24, 18, VM, 5); // VM
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) pixels.copy(rows, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
