-- 0003_versions_by_reference: a version is a manifest, not a copy. SQLite
-- dialect (docs/architecture.md, "Versions by reference").
--
-- Before: every version held a physical copy of every symbol's allocation
-- rows (fifo_allocations.allocation_version) and snapshots, so one symbol's
-- recompute copied the whole ledger. After:
--  * fifo_segments: an immutable set of one symbol's allocation rows,
--    written once by one run, with the closing snapshot of the symbol after
--    those rows (high-water mark, ingest_seq_seen; open lots in
--    fifo_inventory_snapshot), their count and a SHA-256 digest of their
--    canonical form (storage/segment_digest.h).
--  * fifo_version_segments: the manifest. Per (version, symbol) an ordered
--    list of segments; the symbol's rows in the version are the rows of
--    those segments, in list order, each segment's rows by seq.
--  * fifo_allocations and fifo_inventory_snapshot rows belong to a segment
--    (segment_id) instead of a version; they are never rewritten.
--  * fifo_computation_log.allocation_version is NULL until the run
--    publishes (the number is taken at publish, so concurrent runs never
--    publish out of order); allocations_reused counts the rows the run
--    referenced instead of writing; basis_version is the version whose
--    segments it referenced; pruned_at marks a version removed by prune.
--
-- Existing data: every (version, symbol) becomes one segment holding the
-- version's rows of that symbol (renumbered 1..n in their old order) and its
-- snapshot; the migration runner computes their digests right after this
-- script, in the same transaction (sql_migrate.cc). Nothing is merged: old
-- versions keep their own rows until `fifoctl prune` removes them.
--
-- SQLite cannot drop a NOT NULL or a table UNIQUE in place, so the three
-- changed tables are rebuilt (create new, copy, drop old, rename); the views
-- that read them are dropped first and recreated over the manifest.

DROP VIEW v_pnl_by_symbol;
DROP VIEW v_unmatched_sells;
DROP VIEW v_allocation_health;
DROP VIEW v_latest_completed_version;

-- The computation log, allocation_version nullable and three new columns.
CREATE TABLE fifo_computation_log_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol TEXT,
    allocation_version INTEGER CHECK (allocation_version IS NULL OR allocation_version > 0),
    allocation_batch_id TEXT NOT NULL,
    computation_start TEXT NOT NULL,
    computation_end TEXT,
    computation_duration_ms INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'partial')),
    buys_processed INTEGER NOT NULL DEFAULT 0,
    sells_processed INTEGER NOT NULL DEFAULT 0,
    allocations_created INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    error_traceback TEXT,
    symbols_processed TEXT,
    total_pnl_computed TEXT,
    computation_mode TEXT NOT NULL CHECK (computation_mode IN ('full', 'incremental', 'symbol')),
    triggered_by TEXT NOT NULL CHECK (triggered_by IN ('manual', 'scheduled', 'api')),
    algorithm_version INTEGER NOT NULL,
    config_hash TEXT NOT NULL DEFAULT '',
    fallback_reason TEXT,
    owner TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    -- Rows the run referenced from its basis version instead of writing.
    allocations_reused INTEGER NOT NULL DEFAULT 0,
    -- The version whose segments the run referenced (NULL: none).
    basis_version INTEGER,
    -- Set on the run(s) of a version that `fifoctl prune` removed.
    pruned_at TEXT
);
INSERT INTO fifo_computation_log_new (id, symbol, allocation_version,
    allocation_batch_id, computation_start, computation_end,
    computation_duration_ms, status, buys_processed, sells_processed,
    allocations_created, error_message, error_traceback, symbols_processed,
    total_pnl_computed, computation_mode, triggered_by, algorithm_version,
    config_hash, fallback_reason, owner, created_at)
SELECT id, symbol, allocation_version, allocation_batch_id, computation_start,
       computation_end, computation_duration_ms, status, buys_processed,
       sells_processed, allocations_created, error_message, error_traceback,
       symbols_processed, total_pnl_computed, computation_mode, triggered_by,
       algorithm_version, config_hash, fallback_reason, owner, created_at
  FROM fifo_computation_log;
DROP TABLE fifo_computation_log;
ALTER TABLE fifo_computation_log_new RENAME TO fifo_computation_log;
CREATE INDEX idx_fifo_computation_log_version ON fifo_computation_log(allocation_version);
CREATE INDEX idx_fifo_computation_log_batch ON fifo_computation_log(allocation_batch_id);
CREATE INDEX idx_fifo_computation_log_status ON fifo_computation_log(status, computation_start DESC);
-- A version belongs to one full or symbol run; incremental runs extend it.
CREATE UNIQUE INDEX idx_fifo_computation_log_version_owner
    ON fifo_computation_log(allocation_version) WHERE computation_mode <> 'incremental';

-- Segments: one symbol's rows written once by one run, and the symbol's
-- closing snapshot after them. has_snapshot is 0 only for data migrated
-- from a version that had rows of the symbol but no snapshot of it.
CREATE TABLE fifo_segments (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    computation_id INTEGER NOT NULL REFERENCES fifo_computation_log(id),
    row_count INTEGER NOT NULL CHECK (row_count >= 0),
    -- Lower-case hex SHA-256 of the rows' canonical form, recorded when
    -- they were written; `validate` recomputes it from the stored rows.
    digest TEXT NOT NULL,
    has_snapshot INTEGER NOT NULL DEFAULT 1 CHECK (has_snapshot IN (0, 1)),
    hwm_time TEXT,
    hwm_order_id TEXT,
    ingest_seq_seen INTEGER NOT NULL DEFAULT 0,
    snapshot_time TEXT NOT NULL,
    CHECK ((hwm_time IS NULL) = (hwm_order_id IS NULL))
);
CREATE INDEX idx_fifo_segments_computation ON fifo_segments(computation_id);

-- The manifest: the ordered segments of each symbol of each version.
CREATE TABLE fifo_version_segments (
    allocation_version INTEGER NOT NULL CHECK (allocation_version > 0),
    symbol TEXT NOT NULL,
    position INTEGER NOT NULL CHECK (position > 0),
    segment_id INTEGER NOT NULL REFERENCES fifo_segments(id),
    PRIMARY KEY (allocation_version, symbol, position)
) WITHOUT ROWID;
CREATE INDEX idx_fifo_version_segments_segment ON fifo_version_segments(segment_id);

-- Existing versions: one segment per (version, symbol).
CREATE TEMP TABLE fifo_migrate_segments AS
SELECT ROW_NUMBER() OVER (ORDER BY allocation_version, symbol) AS segment_id,
       allocation_version, symbol
  FROM (SELECT allocation_version, symbol FROM fifo_snapshot_watermark
        UNION
        SELECT allocation_version, symbol FROM fifo_allocations);

INSERT INTO fifo_segments (id, symbol, computation_id, row_count, digest,
    has_snapshot, hwm_time, hwm_order_id, ingest_seq_seen, snapshot_time)
SELECT m.segment_id, m.symbol,
       (SELECT MAX(l.id) FROM fifo_computation_log l
         WHERE l.allocation_version = m.allocation_version),
       (SELECT COUNT(*) FROM fifo_allocations a
         WHERE a.allocation_version = m.allocation_version AND a.symbol = m.symbol),
       '',
       CASE WHEN w.symbol IS NULL THEN 0 ELSE 1 END,
       w.hwm_time, w.hwm_order_id, COALESCE(w.ingest_seq_seen, 0),
       COALESCE(w.snapshot_time, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
  FROM temp.fifo_migrate_segments m
  LEFT JOIN fifo_snapshot_watermark w
    ON w.allocation_version = m.allocation_version AND w.symbol = m.symbol;

INSERT INTO fifo_version_segments (allocation_version, symbol, position, segment_id)
SELECT allocation_version, symbol, 1, segment_id FROM temp.fifo_migrate_segments;

-- Allocation rows belong to a segment; seq numbers them 1..n within it.
CREATE TABLE fifo_allocations_new (
    id INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES fifo_segments(id),
    seq INTEGER NOT NULL CHECK (seq > 0),
    sell_order_id TEXT NOT NULL REFERENCES trade_records(order_id),
    buy_order_id TEXT REFERENCES trade_records(order_id),
    symbol TEXT NOT NULL,
    allocated_size TEXT NOT NULL CHECK (typeof(allocated_size) = 'text' AND allocated_size NOT GLOB '*[^0-9.]*' AND allocated_size GLOB '*[1-9]*'),
    buy_price TEXT,
    sell_price TEXT NOT NULL,
    buy_fees_per_unit TEXT,
    sell_fees_per_unit TEXT NOT NULL,
    buy_fee_share_usd TEXT,
    sell_fee_share_usd TEXT NOT NULL,
    cost_basis_usd TEXT CHECK (cost_basis_usd IS NULL OR (typeof(cost_basis_usd) = 'text' AND cost_basis_usd NOT GLOB '*[^0-9.]*')),
    proceeds_usd TEXT NOT NULL CHECK (typeof(proceeds_usd) = 'text' AND proceeds_usd NOT GLOB '*[^0-9.]*'),
    net_proceeds_usd TEXT NOT NULL,
    pnl_usd TEXT,
    buy_time TEXT,
    sell_time TEXT NOT NULL,
    allocation_time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    allocation_batch_id TEXT NOT NULL,
    CHECK ((buy_order_id IS NULL AND buy_price IS NULL AND buy_fees_per_unit IS NULL
            AND buy_fee_share_usd IS NULL AND cost_basis_usd IS NULL
            AND pnl_usd IS NULL AND buy_time IS NULL)
        OR (buy_order_id IS NOT NULL AND buy_price IS NOT NULL AND buy_fees_per_unit IS NOT NULL
            AND buy_fee_share_usd IS NOT NULL AND cost_basis_usd IS NOT NULL
            AND pnl_usd IS NOT NULL AND buy_time IS NOT NULL)),
    CHECK (buy_time IS NULL OR buy_time <= sell_time),
    UNIQUE (segment_id, seq)
);
INSERT INTO fifo_allocations_new (id, segment_id, seq, sell_order_id,
    buy_order_id, symbol, allocated_size, buy_price, sell_price,
    buy_fees_per_unit, sell_fees_per_unit, buy_fee_share_usd,
    sell_fee_share_usd, cost_basis_usd, proceeds_usd, net_proceeds_usd,
    pnl_usd, buy_time, sell_time, allocation_time, allocation_batch_id)
SELECT a.id, m.segment_id,
       ROW_NUMBER() OVER (PARTITION BY a.allocation_version, a.symbol ORDER BY a.seq),
       a.sell_order_id, a.buy_order_id, a.symbol, a.allocated_size,
       a.buy_price, a.sell_price, a.buy_fees_per_unit, a.sell_fees_per_unit,
       a.buy_fee_share_usd, a.sell_fee_share_usd, a.cost_basis_usd,
       a.proceeds_usd, a.net_proceeds_usd, a.pnl_usd, a.buy_time, a.sell_time,
       a.allocation_time, a.allocation_batch_id
  FROM fifo_allocations a
  JOIN temp.fifo_migrate_segments m
    ON m.allocation_version = a.allocation_version AND m.symbol = a.symbol;
DROP TABLE fifo_allocations;
ALTER TABLE fifo_allocations_new RENAME TO fifo_allocations;
CREATE INDEX idx_fifo_allocations_sell ON fifo_allocations(sell_order_id);
CREATE INDEX idx_fifo_allocations_buy ON fifo_allocations(buy_order_id);
-- One row per sell/buy pair in a segment (a version's segments of a symbol
-- hold disjoint sells).
CREATE UNIQUE INDEX idx_fifo_allocations_unique
    ON fifo_allocations(segment_id, sell_order_id, buy_order_id);

-- Open lots belong to the segment whose closing state they are.
CREATE TABLE fifo_inventory_snapshot_new (
    id INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES fifo_segments(id),
    lot_seq INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    buy_order_id TEXT NOT NULL REFERENCES trade_records(order_id),
    remaining_size TEXT NOT NULL,
    snapshot_time TEXT NOT NULL,
    buy_time TEXT NOT NULL,
    price TEXT NOT NULL,
    size TEXT NOT NULL,
    total_fees_usd TEXT NOT NULL,
    consumed_size TEXT NOT NULL,
    consumed_fee_share TEXT NOT NULL,
    UNIQUE (segment_id, lot_seq),
    UNIQUE (segment_id, buy_order_id)
);
INSERT INTO fifo_inventory_snapshot_new (id, segment_id, lot_seq, symbol,
    buy_order_id, remaining_size, snapshot_time, buy_time, price, size,
    total_fees_usd, consumed_size, consumed_fee_share)
SELECT s.id, m.segment_id, s.lot_seq, s.symbol, s.buy_order_id,
       s.remaining_size, s.snapshot_time, s.buy_time, s.price, s.size,
       s.total_fees_usd, s.consumed_size, s.consumed_fee_share
  FROM fifo_inventory_snapshot s
  JOIN temp.fifo_migrate_segments m
    ON m.allocation_version = s.allocation_version AND m.symbol = s.symbol;
DROP TABLE fifo_inventory_snapshot;
ALTER TABLE fifo_inventory_snapshot_new RENAME TO fifo_inventory_snapshot;
DROP TABLE fifo_snapshot_watermark;
DROP TABLE temp.fifo_migrate_segments;

-- The run that last filed or refreshed a review item: its version is set
-- when that run publishes.
ALTER TABLE manual_review_queue ADD COLUMN computation_id INTEGER;
CREATE INDEX idx_manual_review_queue_computation ON manual_review_queue(computation_id);

-- Views read the latest COMPLETED version only (ERRATA 4), through the
-- manifest. Money columns are left out in SQLite (see 0001).
CREATE VIEW v_latest_completed_version AS
SELECT MAX(allocation_version) AS version
  FROM fifo_computation_log
 WHERE status = 'completed';

-- Every version's logical allocation rows, for people who query SQL: the
-- rows each version holds, whichever run wrote them. Order a version's rows
-- by (symbol, segment_position, segment_seq).
CREATE VIEW v_version_allocations AS
SELECT vs.allocation_version AS allocation_version,
       vs.symbol AS symbol,
       vs.position AS segment_position,
       a.segment_id AS segment_id,
       a.seq AS segment_seq,
       a.id AS allocation_id,
       a.sell_order_id AS sell_order_id,
       a.buy_order_id AS buy_order_id,
       a.allocated_size AS allocated_size,
       a.buy_price AS buy_price,
       a.sell_price AS sell_price,
       a.buy_fees_per_unit AS buy_fees_per_unit,
       a.sell_fees_per_unit AS sell_fees_per_unit,
       a.buy_fee_share_usd AS buy_fee_share_usd,
       a.sell_fee_share_usd AS sell_fee_share_usd,
       a.cost_basis_usd AS cost_basis_usd,
       a.proceeds_usd AS proceeds_usd,
       a.net_proceeds_usd AS net_proceeds_usd,
       a.pnl_usd AS pnl_usd,
       a.buy_time AS buy_time,
       a.sell_time AS sell_time,
       a.allocation_time AS allocation_time,
       a.allocation_batch_id AS allocation_batch_id
  FROM fifo_version_segments vs
  JOIN fifo_allocations a ON a.segment_id = vs.segment_id;

CREATE VIEW v_allocation_health AS
SELECT a.allocation_version AS allocation_version,
       COUNT(*) AS total_allocations,
       COUNT(a.buy_order_id) AS matched_allocations,
       COUNT(*) - COUNT(a.buy_order_id) AS unmatched_allocations,
       COUNT(DISTINCT a.sell_order_id) AS sells_allocated,
       COUNT(DISTINCT a.buy_order_id) AS buys_used,
       MIN(a.allocation_time) AS first_allocation,
       MAX(a.allocation_time) AS last_allocation
  FROM v_version_allocations a
  JOIN v_latest_completed_version lv ON a.allocation_version = lv.version
 GROUP BY a.allocation_version;

CREATE VIEW v_unmatched_sells AS
SELECT a.sell_order_id AS order_id,
       a.symbol AS symbol,
       s.side AS side,
       s.size AS size,
       s.order_time AS order_time,
       a.allocated_size AS unmatched_size,
       a.allocation_version AS allocation_version,
       'NEEDS INVESTIGATION' AS status
  FROM v_version_allocations a
  JOIN v_latest_completed_version lv ON a.allocation_version = lv.version
  JOIN trade_records s ON s.order_id = a.sell_order_id
 WHERE a.buy_order_id IS NULL;

CREATE VIEW v_pnl_by_symbol AS
SELECT a.symbol AS symbol,
       COUNT(DISTINCT a.sell_order_id) AS num_sells,
       COUNT(a.buy_order_id) AS matched_allocations,
       COUNT(*) - COUNT(a.buy_order_id) AS unmatched_allocations,
       MIN(a.sell_time) AS first_sell,
       MAX(a.sell_time) AS last_sell,
       a.allocation_version AS allocation_version
  FROM v_version_allocations a
  JOIN v_latest_completed_version lv ON a.allocation_version = lv.version
 GROUP BY a.symbol, a.allocation_version;
