-- PostgreSQL table for pmacct's pgsql plugin with nfacctd-pgsql.conf
-- (sql_optimize_clauses: the columns are those of the aggregate
-- primitives, with pmacct's schema v9 types; see pmacct's sql/README.pgsql).
-- Load with: psql -d flows -f flows.sql
CREATE TABLE flows (
	peer_ip_src inet NOT NULL DEFAULT '0.0.0.0',	-- the exporting router
	ip_src inet NOT NULL DEFAULT '0.0.0.0',
	ip_dst inet NOT NULL DEFAULT '0.0.0.0',
	port_src INT NOT NULL DEFAULT 0,
	port_dst INT NOT NULL DEFAULT 0,
	ip_proto SMALLINT NOT NULL DEFAULT 0,
	packets BIGINT NOT NULL,
	bytes BIGINT NOT NULL,
	stamp_inserted timestamp without time zone NOT NULL DEFAULT '0001-01-01 00:00:00',
	stamp_updated timestamp without time zone
);
CREATE INDEX flows_src ON flows (ip_src);
CREATE INDEX flows_dst ON flows (ip_dst);
