import assert from "node:assert/strict";
import { readBodyText } from "./body.ts";
import { RestError } from "./errors.ts";

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RestError);
    return error.status;
  }
  assert.fail("expected a rejection");
}

function streamed(
  chunks: Uint8Array[],
  headers: HeadersInit = {},
): { request: Request; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks.length) return controller.close();
      controller.enqueue(chunks[pulled++]);
    },
  }, { highWaterMark: 0 });
  return {
    request: new Request("http://x/", { method: "POST", body, headers }),
    pulled: () => pulled,
  };
}

Deno.test("a body within the limit is read whole", async () => {
  const request = new Request("http://x/", { method: "POST", body: '{"a":"é"}' });
  assert.equal(await readBodyText(request, 100), '{"a":"é"}');
});

Deno.test("a declared length over the limit is 413 before any byte is read", async () => {
  const { request, pulled } = streamed([new Uint8Array(10)], { "content-length": "101" });
  assert.equal(await statusOf(readBodyText(request, 100)), 413);
  assert.equal(pulled(), 0);
});

Deno.test("a streamed body is cut off as soon as it passes the limit", async () => {
  const chunk = new Uint8Array(40);
  const { request, pulled } = streamed(Array.from({ length: 100 }, () => chunk));
  assert.equal(await statusOf(readBodyText(request, 100)), 413);
  assert.ok(pulled() <= 4, `pulled ${pulled()} chunks`);
});

Deno.test("invalid UTF-8 is 400", async () => {
  const request = new Request("http://x/", { method: "POST", body: new Uint8Array([0xff, 0xfe]) });
  assert.equal(await statusOf(readBodyText(request, 100)), 400);
});
