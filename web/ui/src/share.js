// Links that carry a program: /?src=<base64url of the UTF-8 program>&model=M
// (the documented form), or ?z=<base64url of its deflate-raw compression>
// for long programs. Both open the program and run it at once. Optional:
// unroll=N, max=N (the execution limit), test=NAME (the #[test] to run in a
// file with several).

function toBase64url(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(s) {
  s = s.replace(/-/g, "+").replace(/_/g, "/").replace(/\s/g, "");
  while (s.length % 4) s += "=";
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeSrc(text) {
  return toBase64url(new TextEncoder().encode(text));
}

export function decodeSrc(s) {
  return new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(s));
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export async function compressSrc(text) {
  if (typeof CompressionStream === "undefined") return null;
  return toBase64url(await pipe(new TextEncoder().encode(text), new CompressionStream("deflate-raw")));
}

export async function decompressSrc(s) {
  const bytes = await pipe(fromBase64url(s), new DecompressionStream("deflate-raw"));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

// readLink reads a page address: the program (or null), the model and the
// bounds it names.
export async function readLink(search) {
  const q = new URLSearchParams(search);
  const link = { src: null, model: q.get("model"), unroll: q.get("unroll"), max: q.get("max"), example: q.get("example"), test: q.get("test"), error: null };
  try {
    if (q.has("src") && q.get("src") !== "") link.src = decodeSrc(q.get("src"));
    else if (q.has("z") && q.get("z") !== "") link.src = await decompressSrc(q.get("z"));
  } catch (e) {
    link.error = "The link's program could not be decoded (" + e.message + "): is it complete?";
  }
  return link;
}

// The longest address the plain form is used for; longer programs get the
// compressed form when the browser can make it.
const plainLimit = 1800;

export async function makeLink(base, { src, model, unroll, max, test }) {
  const q = new URLSearchParams();
  let plain = encodeSrc(src);
  let key = "src";
  if (plain.length > plainLimit) {
    const z = await compressSrc(src);
    if (z && z.length < plain.length) { plain = z; key = "z"; }
  }
  q.set(key, plain);
  q.set("model", model);
  if (unroll && unroll !== "8") q.set("unroll", unroll);
  if (max && max !== "0") q.set("max", max);
  if (test) q.set("test", test);
  // URLSearchParams would escape nothing base64url uses; keep it readable.
  return base + "?" + q.toString();
}
