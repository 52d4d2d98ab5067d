// ONNX Runtime's half of tools/bench/onnx.sh: runs MODEL.onnx on the batch
// that `barista export-onnx --batch-dir DIR` wrote, one intra-op thread,
// checks its scores against barista's, and times batch N and batch 1.
//
//   node tools/bench/onnx_bench.mjs MODEL.onnx DIR
//
// onnxruntime-node is resolved from NODE_PATH (onnx.sh installs it outside
// the repository).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const require = createRequire(resolve(process.env.NODE_PATH || process.cwd(), 'x.js'));
const ort = require('onnxruntime-node');

const [modelPath, dir] = process.argv.slice(2);
if (!modelPath || !dir) {
  console.error('usage: node onnx_bench.mjs MODEL.onnx DIR');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

function load(input) {
  const bytes = readFileSync(join(dir, input.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = input.type === 'int64' ? new BigInt64Array(buffer) : new Float32Array(buffer);
  return new ort.Tensor(input.type, data, input.dims);
}

// The first `rows` rows of every input.
function slice(input, tensor, rows) {
  const perRow = input.dims.slice(1).reduce((a, b) => a * b, 1);
  const dims = [rows, ...input.dims.slice(1)];
  return new ort.Tensor(input.type, tensor.data.slice(0, rows * perRow), dims);
}

const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
                  graphOptimizationLevel: 'all' };
const session = await ort.InferenceSession.create(modelPath, options);
const full = {}, one = {};
for (const input of manifest.inputs) {
  full[input.name] = load(input);
  one[input.name] = slice(input, full[input.name], 1);
}

const expectedBytes = readFileSync(join(dir, manifest.expected));
const expected = new Float32Array(expectedBytes.buffer, expectedBytes.byteOffset, manifest.batch);
const result = await session.run(full);
const scores = result.score.data;
let maxDiff = 0;
for (let i = 0; i < manifest.batch; ++i) maxDiff = Math.max(maxDiff, Math.abs(scores[i] - expected[i]));

async function timeRuns(feeds, budgetMs, maxRuns) {
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < maxRuns)) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
for (let i = 0; i < 3; ++i) await session.run(full);  // warm-up
const batchMs = await timeRuns(full, 3000, 200);
const oneMs = await timeRuns(one, 2000, 20000);

const b = manifest.barista;
console.log(`ONNX Runtime ${ort.env.versions ? ort.env.versions.common : ''} (onnxruntime-node), one thread, batch ${manifest.batch}:`);
console.log(`  plain forward pass:              ${(manifest.batch / (batchMs / 1000)).toFixed(0).padStart(10)} examples/s  (p50 ${batchMs.toFixed(3)} ms per batch)`);
console.log(`  batch 1, through Node:           ${(oneMs * 1000).toFixed(2).padStart(10)} us per call`);
console.log(`  scores vs barista's: max |diff| ${maxDiff.toExponential(1)} ${maxDiff <= 1e-5 ? '(agree within 1e-5)' : '(DISAGREE: over 1e-5)'}`);
console.log('barista vs ONNX Runtime, same batch, one thread each:');
const ortRate = manifest.batch / (batchMs / 1000);
console.log(`  barista fast path:    ${(b.fast_path_items_per_second / ortRate).toFixed(2)}x ONNX Runtime's examples/s`);
console.log(`  barista plain pass:   ${(b.plain_examples_per_second / ortRate).toFixed(2)}x`);
process.exit(maxDiff <= 1e-5 ? 0 : 1);
