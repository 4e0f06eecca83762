/**
 * The station of each turnstile event. Most events are read straight from their bytes: when the
 * writer schema is an int `station_id` followed only by strings and optional longs, the station
 * is the first varint and the rest need not be decoded. Anything else takes the full Avro decoder, which also
 * gives the reason a record is unusable.
 */
import type { Buffer } from "node:buffer";
import {
  type AvroDecoder,
  HEADER_BYTES,
  schemaIdOf,
  WireFormatError,
} from "../../lib/contracts/wire_format.ts";
import { stationOf } from "../../lib/contracts/turnstiles.ts";
import type { InputRecord } from "../../lib/exactly_once/ports.ts";
import { type FieldKind, stationIdOfRecord, stationRecordLayout } from "./station_bytes.ts";
import type { StationDecoder, StationOrReason } from "./topology.ts";

/** What avsc tells of a record type's fields; other types have none. */
interface RecordTypeShape {
  fields?: { name: string; type: { typeName: string; types?: { typeName: string }[] } }[];
}

export function stationDecoder(decoder: AvroDecoder): StationDecoder {
  // Per writer schema id: the fields after station_id, or null when only the full decoder will
  // do. Unknown ids are left to the full decoder, which names them.
  const layouts = new Map<number, Promise<FieldKind[] | null>>();
  const layoutAfterStation = (schemaId: number): Promise<FieldKind[] | null> => {
    let layout = layouts.get(schemaId);
    if (!layout) {
      layout = decoder.writerType(schemaId).then((type) => {
        const fields = ((type as unknown as RecordTypeShape).fields ?? []).map((f) => ({
          name: f.name,
          typeName: f.type.typeName,
          branches: f.type.types?.map((t) => t.typeName),
        }));
        return stationRecordLayout(fields);
      }, (error) => {
        layouts.delete(schemaId);
        if (error instanceof WireFormatError) return null;
        throw error;
      });
      layouts.set(schemaId, layout);
    }
    return layout;
  };

  return async (records: InputRecord[]): Promise<StationOrReason[]> => {
    const ids = new Set<number>();
    for (const r of records) {
      const id = schemaIdOf(r.value);
      if (id !== undefined) ids.add(id);
    }
    const layoutOf = new Map<number, FieldKind[] | null>();
    await Promise.all([...ids].map(async (id) => layoutOf.set(id, await layoutAfterStation(id))));

    const stations: StationOrReason[] = new Array(records.length);
    const others: number[] = [];
    records.forEach((r, i) => {
      const id = schemaIdOf(r.value);
      const layout = id === undefined ? null : layoutOf.get(id) ?? null;
      const station = layout === null ? null : stationIdOfRecord(r.value!, HEADER_BYTES, layout);
      if (station !== null && station > 0) stations[i] = station;
      else others.push(i);
    });
    if (others.length > 0) {
      const decoded = await decoder.decodeAll(others.map((i) => records[i].value as Buffer | null));
      decoded.forEach((value, j) => {
        const station = value instanceof WireFormatError
          ? { reason: value.message }
          : stationOf(value);
        stations[others[j]] = "reason" in station ? station : station.stationId;
      });
    }
    return stations;
  };
}
