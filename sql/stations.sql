-- The CTA "L" platform stops, one row per stop (data/stations.csv). Idempotent.
-- Debezium captures this table. The primary key is the replica identity (the default): an
-- update or delete event carries the key, which is all a compacted topic needs.
CREATE TABLE IF NOT EXISTS stations (
  stop_id integer PRIMARY KEY,
  direction_id char(1) NOT NULL,
  stop_name text NOT NULL,
  station_name text NOT NULL,
  station_descriptive_name text NOT NULL,
  station_id integer NOT NULL,
  "order" integer NOT NULL,
  red boolean NOT NULL,
  blue boolean NOT NULL,
  green boolean NOT NULL
);
