-- Ridership history, written by the history stage (pipeline/history/). Idempotent.
-- Hours are buckets of event time: the start of the hour, in UTC. Each transaction of the stage
-- adds one batch's counts and moves its input partition's next offset in history_offsets, so a
-- batch is counted once, whatever crashes or re-runs. The stage applies this file itself too,
-- in the schema HISTORY_SCHEMA names (default public).

-- Turnstile entries per station and hour.
CREATE TABLE IF NOT EXISTS station_entries_hourly (
  station_id integer NOT NULL,
  hour timestamptz NOT NULL CHECK (extract(epoch FROM hour) % 3600 = 0),
  entries bigint NOT NULL CHECK (entries >= 0),
  PRIMARY KEY (station_id, hour)
);

-- Train arrivals per station, hour, line and direction: headways are an hour over arrivals.
CREATE TABLE IF NOT EXISTS station_arrivals_hourly (
  station_id integer NOT NULL,
  hour timestamptz NOT NULL CHECK (extract(epoch FROM hour) % 3600 = 0),
  line text NOT NULL,
  direction text NOT NULL,
  arrivals bigint NOT NULL CHECK (arrivals >= 0),
  PRIMARY KEY (station_id, hour, line, direction)
);

-- The next input offset to count, per consumer group and input partition.
CREATE TABLE IF NOT EXISTS history_offsets (
  consumer text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL CHECK (next_offset >= 0),
  PRIMARY KEY (consumer, topic, partition)
);
