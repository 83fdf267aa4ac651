// Decodes an archsim --traces file against the OTLP protobuf definitions
// (opentelemetry-proto's ExportTraceServiceRequest, as compiled by protobufjs
// into @opentelemetry/otlp-transformer) and checks the trace structure.
// usage: node verify.js TRACES.json [EXPECTED_MIN_TRACES]
// Exit 0: valid; 1: invalid (the reason on stderr); 77: the packages are missing.
'use strict';
const fs = require('fs');
let root;
try {
  root = require('@opentelemetry/otlp-transformer/build/src/generated/root');
} catch (e) {
  console.error('otlp test: @opentelemetry/otlp-transformer is not installed (npm ci in tests/otlp): skipped');
  process.exit(77);
}
const Long = require('long');
const Req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function fail(msg) {
  console.error('otlp test: ' + msg);
  process.exit(1);
}

const text = fs.readFileSync(process.argv[2], 'utf8');
const doc = JSON.parse(text);

// OTLP/JSON writes trace and span ids in hex; protobufjs's JSON form of
// bytes is base64. Convert, checking each id's length on the way.
function idsToBase64(obj, path) {
  if (Array.isArray(obj)) return obj.map((x, i) => idsToBase64(x, `${path}[${i}]`));
  if (obj === null || typeof obj !== 'object') return obj;
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    const bytes = { traceId: 16, spanId: 8, parentSpanId: 8 }[k];
    if (bytes) {
      if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(v))
        fail(`${path}.${k}: expected ${2 * bytes} lower-case hex digits, got ${JSON.stringify(v)}`);
      if (/^0+$/.test(v)) fail(`${path}.${k}: an all-zero id is invalid`);
      out[k] = Buffer.from(v, 'hex').toString('base64');
    } else if (/UnixNano$/.test(k) || k === 'intValue') {
      // 64-bit integers are decimal strings in OTLP/JSON (the proto3 JSON mapping).
      if (typeof v !== 'string' || !/^-?[0-9]+$/.test(v)) fail(`${path}.${k}: expected a 64-bit integer as a string`);
      out[k] = Long.fromString(v, /UnixNano$/.test(k));
    } else {
      out[k] = idsToBase64(v, `${path}.${k}`);
    }
  }
  return out;
}

// Every field of the input must survive protobuf encoding and decoding with
// its value: a misspelt or mistyped field would be dropped or changed.
function sameOrSubset(input, output, path) {
  if (Array.isArray(input)) {
    if (!Array.isArray(output) || output.length !== input.length) fail(`${path}: lost in the protobuf round trip`);
    input.forEach((x, i) => sameOrSubset(x, output[i], `${path}[${i}]`));
    return;
  }
  if (Long.isLong(input)) {
    if (input.toString() !== String(output)) fail(`${path}: ${input} decoded as ${output}`);
    return;
  }
  if (input !== null && typeof input === 'object') {
    if (output === null || typeof output !== 'object') fail(`${path}: not a message after decoding`);
    for (const k of Object.keys(input)) {
      if (!(k in output)) fail(`${path}.${k}: not a field of the OTLP message (dropped by the decoder)`);
      sameOrSubset(input[k], output[k], `${path}.${k}`);
    }
    return;
  }
  if (String(input) !== String(output)) fail(`${path}: ${JSON.stringify(input)} decoded as ${JSON.stringify(output)}`);
}

const obj = idsToBase64(doc, '$');
const err = Req.verify(obj);
if (err) fail('verify: ' + err);
const msg = Req.fromObject(obj);
const bytes = Req.encode(msg).finish();
const back = Req.toObject(Req.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false });
sameOrSubset(obj, back, '$');

// The trace structure: one root per trace, every parent in the file and in
// the same trace, a child inside its parent's time, service.name on every resource.
const spans = new Map();
for (const rs of doc.resourceSpans) {
  const svc = (rs.resource.attributes || []).find((a) => a.key === 'service.name');
  if (!svc || !svc.value.stringValue) fail('a resource without service.name');
  for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.set(s.spanId, { ...s, service: svc.value.stringValue });
}
const roots = new Map();
for (const s of spans.values()) {
  if (BigInt(s.endTimeUnixNano) < BigInt(s.startTimeUnixNano)) fail(`span ${s.spanId} ends before it starts`);
  if (!s.parentSpanId) {
    if (roots.has(s.traceId)) fail(`trace ${s.traceId} has two roots`);
    if (s.kind !== 3) fail(`root span ${s.spanId} is not SPAN_KIND_CLIENT`);
    roots.set(s.traceId, s);
    continue;
  }
  const p = spans.get(s.parentSpanId);
  if (!p) fail(`span ${s.spanId}: parent ${s.parentSpanId} is not in the file`);
  if (p.traceId !== s.traceId) fail(`span ${s.spanId} is in another trace than its parent`);
  if (BigInt(s.startTimeUnixNano) < BigInt(p.startTimeUnixNano)) fail(`span ${s.spanId} starts before its parent`);
}
const min = Number(process.argv[3] || 1);
if (roots.size < min) fail(`${roots.size} traces, expected at least ${min}`);
let errors = 0, retries = 0;
for (const s of spans.values()) {
  if (s.status && s.status.code === 2) errors++;
  retries += (s.events || []).filter((e) => e.name === 'retry').length;
}
console.log(`otlp test: ${bytes.length} bytes of protobuf; ${roots.size} traces, ${spans.size} spans, ` +
            `${errors} with an error status, ${retries} retry events`);
