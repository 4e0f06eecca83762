/**
 * A partition assigner that gives every partition to one member of the group, the one that has
 * run longest; the others get none and stand by. The predictions stage needs every report of a
 * line's trains, and arrivals are keyed by station, so a line's trains are spread over every
 * partition: the input cannot be divided among instances. The longest-running member keeps the
 * work when another joins, so a new instance never interrupts a working one; when the owner
 * leaves, the next oldest takes everything over (and fences the old owner's producer).
 */
import { Buffer } from "node:buffer";
import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

export const SINGLE_OWNER_ASSIGNER = "SingleOwner";

export interface Candidate {
  memberId: string;
  /** When the member's process started (ms); Infinity when it did not say. */
  startedAt: number;
}

/** The owner: the earliest start, then the lowest member id. */
export function chooseOwner(candidates: readonly Candidate[]): string | undefined {
  return [...candidates].sort((x, y) =>
    x.startedAt - y.startedAt || (x.memberId < y.memberId ? -1 : x.memberId > y.memberId ? 1 : 0)
  )[0]?.memberId;
}

/** When the member started, from the user data of its metadata. */
export function startedAtOf(userData: Buffer | null | undefined): number {
  try {
    const startedAt = JSON.parse(userData?.toString() ?? "").startedAt;
    return typeof startedAt === "number" && Number.isFinite(startedAt) ? startedAt : Infinity;
  } catch {
    return Infinity;
  }
}

export function singleOwnerAssigner(startedAt: number): PartitionAssigner {
  return ({ cluster }) => ({
    name: SINGLE_OWNER_ASSIGNER,
    version: 0,
    assign({ members, topics }) {
      const owner = chooseOwner(members.map((member) => ({
        memberId: member.memberId,
        startedAt: startedAtOf(
          AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData,
        ),
      })));
      const everything = Object.fromEntries(topics.map((topic) => [
        topic,
        cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId),
      ]));
      return Promise.resolve(members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: memberId === owner ? everything : {},
          userData: Buffer.alloc(0),
        }),
      })));
    },
    protocol({ topics }) {
      return {
        name: SINGLE_OWNER_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics,
          userData: Buffer.from(JSON.stringify({ startedAt })),
        }),
      };
    },
  });
}
