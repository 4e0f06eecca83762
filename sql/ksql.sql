-- The turnstile summary as ksqlDB statements, for users who run ksqlDB instead of
-- `deno task summary`. The result has the same topic, key and value shape:
-- TURNSTILE_SUMMARY, keyed by station_id, value {"STATION_ID": n, "COUNT": n}.
-- Run with processing.guarantee=exactly_once_v2 to match the Deno stage's guarantee.

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM turnstile (
    station_id INT,
    station_name VARCHAR,
    line VARCHAR
) WITH (
    KAFKA_TOPIC = 'org.chicago.cta.turnstiles',
    VALUE_FORMAT = 'AVRO'
);

-- A JSON key of an INT is its decimal text (40380), the same bytes the Deno stage writes;
-- AS_VALUE copies the grouping key into the value, as the original table had it.
CREATE TABLE TURNSTILE_SUMMARY
    WITH (KAFKA_TOPIC = 'TURNSTILE_SUMMARY', KEY_FORMAT = 'JSON', VALUE_FORMAT = 'JSON') AS
    SELECT station_id AS station_key,
           AS_VALUE(station_id) AS STATION_ID,
           COUNT(*) AS COUNT
    FROM turnstile
    GROUP BY station_id
    EMIT CHANGES;
