/** Reading a request body without ever holding more than the limit in memory. */
import { malformedJson, payloadTooLarge } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body as text. A declared Content-Length over the limit is refused before reading; a
 * streamed body is cut off as soon as it passes the limit. Invalid UTF-8 is malformed JSON.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw payloadTooLarge(maxBytes);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformedJson("the body is not valid UTF-8");
  }
}
