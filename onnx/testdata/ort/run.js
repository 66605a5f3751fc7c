// Runs ONNX models in ONNX Runtime for the onnx package's tests.
// stdin: a JSON array of jobs {"model": path, "dims": [...], "data": [...]}
// giving the float32 tensor "input"; stdout: a JSON array with, for each
// job, {output name: {"type", "dims", "data"}} or {"error": message}.
const ort = require('onnxruntime-node');

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const jobs = JSON.parse(text);
  const results = [];
  for (const job of jobs) {
    try {
      const session = await ort.InferenceSession.create(job.model);
      const input = new ort.Tensor('float32', Float32Array.from(job.data), job.dims);
      const outputs = await session.run({ input });
      const result = {};
      for (const name of session.outputNames) {
        const t = outputs[name];
        result[name] = { type: t.type, dims: Array.from(t.dims), data: Array.from(t.data) };
      }
      results.push(result);
    } catch (e) {
      results.push({ error: String(e) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => { console.error(e); process.exit(1); });
