-- ClickHouse reading nfacctd-kafka.conf's JSON records from Kafka into a
-- MergeTree table. Not part of the selftests: a sketch to adapt (broker,
-- retention, ordering key). pmacct's JSON field names are those of its
-- aggregate primitives (peer_ip_src, ip_src, ip_dst, port_src, port_dst,
-- ip_proto, timestamp_start, timestamp_end, packets, bytes).
CREATE TABLE flows_queue (
	peer_ip_src String, ip_src String, ip_dst String,
	port_src UInt16, port_dst UInt16, ip_proto String,
	timestamp_start String, timestamp_end String,
	packets UInt64, bytes UInt64
) ENGINE = Kafka
SETTINGS kafka_broker_list = 'kafka1:9092', kafka_topic_list = 'flows',
	 kafka_group_name = 'clickhouse-flows', kafka_format = 'JSONEachRow';

CREATE TABLE flows (
	router IPv6, src IPv6, dst IPv6, sport UInt16, dport UInt16,
	proto LowCardinality(String), start DateTime64(3), end DateTime64(3),
	packets UInt64, bytes UInt64
) ENGINE = MergeTree PARTITION BY toDate(start) ORDER BY (start, router)
TTL toDateTime(start) + INTERVAL 90 DAY;

CREATE MATERIALIZED VIEW flows_mv TO flows AS
SELECT toIPv6(peer_ip_src) AS router, toIPv6(ip_src) AS src, toIPv6(ip_dst) AS dst,
       port_src AS sport, port_dst AS dport, ip_proto AS proto,
       parseDateTime64BestEffort(timestamp_start, 3) AS start,
       parseDateTime64BestEffort(timestamp_end, 3) AS end, packets, bytes
FROM flows_queue;

-- top talkers over every router, last hour
-- SELECT src, sum(bytes) AS b FROM flows WHERE start > now() - INTERVAL 1 HOUR
-- GROUP BY src ORDER BY b DESC LIMIT 10;
