import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { AssignerProtocol } from "kafkajs";
import { chooseOwner, singleOwnerAssigner, startedAtOf } from "./single_owner.ts";

Deno.test("the longest-running member owns everything; ties go to the lowest member id", () => {
  assert.equal(
    chooseOwner([
      { memberId: "b", startedAt: 200 },
      { memberId: "a", startedAt: 300 },
      { memberId: "c", startedAt: 200 },
    ]),
    "b",
  );
  assert.equal(
    chooseOwner([{ memberId: "x", startedAt: Infinity }, { memberId: "y", startedAt: 5 }]),
    "y",
  );
  assert.equal(chooseOwner([]), undefined);
  assert.equal(startedAtOf(Buffer.from("garbage")), Infinity);
  assert.equal(startedAtOf(null), Infinity);
});

Deno.test("the assigner gives every partition to the owner and an empty assignment to the others", async () => {
  const cluster = {
    findTopicPartitionMetadata: () => [0, 1, 2].map((partitionId) => ({ partitionId })),
  };
  // deno-lint-ignore no-explicit-any
  const assignerOf = (startedAt: number) => singleOwnerAssigner(startedAt)({ cluster } as any);
  const members = [["late", 2_000], ["early", 1_000]].map(([memberId, startedAt]) => ({
    memberId: memberId as string,
    memberMetadata: assignerOf(startedAt as number).protocol({ topics: ["arrivals"] }).metadata,
  }));
  const result = await assignerOf(0).assign({ members, topics: ["arrivals"] });
  const decoded = Object.fromEntries(
    result.map((
      r,
    ) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]),
  );
  assert.deepEqual(decoded, { late: {}, early: { arrivals: [0, 1, 2] } });
});
