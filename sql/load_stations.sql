-- Loads data/stations.csv (mounted at /data in compose) into an empty stations table.
-- The local stack streams the file through psql instead, so the server need not read the clone.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM stations) THEN
    COPY stations FROM '/data/stations.csv' WITH (FORMAT csv, HEADER true);
  END IF;
END $$;
