-- 0001_initial: the FIFO ledger schema, SQLite dialect.
--
-- Conventions (see migrations/README.md):
--  * Decimals are TEXT holding fifo::Decimal's canonical plain notation. Only
--    TEXT keeps them exact in SQLite (NUMERIC/REAL affinity turns them into
--    doubles), so SQL here never compares or adds them; CHECKs only test their
--    shape (digits and a point, at least one non-zero digit for "> 0").
--  * Times are TEXT in fifo::FormatTimestamp form, "2025-11-20T10:00:00.000000Z"
--    (UTC, six fractional digits), which sorts lexicographically in time order.
--  * order_id and symbol use SQLite's default BINARY collation: bytewise.
-- schema_migrations is created by the migration runner itself.

-- Immutable trade facts (design: trade_records; ERRATA 9).
CREATE TABLE trade_records (
    order_id TEXT NOT NULL PRIMARY KEY CHECK (order_id <> ''),
    symbol TEXT NOT NULL CHECK (symbol <> ''),
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    size TEXT NOT NULL CHECK (typeof(size) = 'text' AND size NOT GLOB '*[^0-9.]*' AND size GLOB '*[1-9]*'),
    price TEXT NOT NULL CHECK (typeof(price) = 'text' AND price NOT GLOB '*[^0-9.]*' AND price GLOB '*[1-9]*'),
    order_time TEXT NOT NULL CHECK (order_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'),
    total_fees_usd TEXT NOT NULL DEFAULT '0' CHECK (typeof(total_fees_usd) = 'text' AND total_fees_usd <> '' AND total_fees_usd NOT GLOB '*[^0-9.]*'),
    status TEXT,
    order_type TEXT,
    "trigger" TEXT,
    source TEXT NOT NULL,
    ingest_via TEXT,
    -- Reconciliation metadata (updatable).
    last_reconciled_at TEXT,
    last_reconciled_via TEXT,
    -- Inventory tracking for BUYs (metadata, updatable; NULL for SELLs).
    remaining_size TEXT CHECK (remaining_size IS NULL OR typeof(remaining_size) = 'text'),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    -- Insert order, assigned by the store at insert (1, 2, ...): a trade whose
    -- ingest_seq is above the one a run saw was recorded after that run.
    ingest_seq INTEGER NOT NULL UNIQUE CHECK (ingest_seq > 0)
);

CREATE INDEX idx_trade_records_symbol_time ON trade_records(symbol, order_time, order_id);
CREATE INDEX idx_trade_records_side_symbol ON trade_records(side, symbol);
CREATE INDEX idx_trade_records_order_time ON trade_records(order_time DESC);

-- ERRATA 9: facts never change and trades are never deleted, whoever asks.
CREATE TRIGGER trade_records_immutable_facts
BEFORE UPDATE OF order_id, symbol, side, size, price, order_time, total_fees_usd,
    status, order_type, "trigger", source, ingest_via, created_at, ingest_seq
ON trade_records
FOR EACH ROW
WHEN NEW.order_id IS NOT OLD.order_id OR NEW.symbol IS NOT OLD.symbol
    OR NEW.side IS NOT OLD.side OR NEW.size IS NOT OLD.size
    OR NEW.price IS NOT OLD.price OR NEW.order_time IS NOT OLD.order_time
    OR NEW.total_fees_usd IS NOT OLD.total_fees_usd OR NEW.status IS NOT OLD.status
    OR NEW.order_type IS NOT OLD.order_type OR NEW."trigger" IS NOT OLD."trigger"
    OR NEW.source IS NOT OLD.source OR NEW.ingest_via IS NOT OLD.ingest_via
    OR NEW.created_at IS NOT OLD.created_at OR NEW.ingest_seq IS NOT OLD.ingest_seq
BEGIN
    SELECT RAISE(ABORT, 'trade_records is immutable (ERRATA 9): UPDATE of a fact column (order_id, symbol, side, size, price, order_time, total_fees_usd, status, order_type, trigger, source, ingest_via, created_at, ingest_seq) is rejected');
END;

CREATE TRIGGER trade_records_no_delete
BEFORE DELETE ON trade_records
FOR EACH ROW
BEGIN
    SELECT RAISE(ABORT, 'trade_records is append-only (ERRATA 9): DELETE is rejected');
END;

CREATE TRIGGER trade_records_touch_updated_at
AFTER UPDATE OF last_reconciled_at, last_reconciled_via, remaining_size ON trade_records
FOR EACH ROW
BEGIN
    UPDATE trade_records
       SET updated_at = strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
     WHERE order_id = NEW.order_id;
END;

-- One row per buy -> sell match, or one unmatched row (buy side NULL) per
-- sell remainder (ERRATA 3). seq orders the rows of a version.
CREATE TABLE fifo_allocations (
    id INTEGER PRIMARY KEY,
    allocation_version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
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
    UNIQUE (allocation_version, seq)
);

CREATE INDEX idx_fifo_allocations_sell ON fifo_allocations(sell_order_id);
CREATE INDEX idx_fifo_allocations_buy ON fifo_allocations(buy_order_id);
CREATE INDEX idx_fifo_allocations_symbol ON fifo_allocations(symbol, allocation_version);
CREATE INDEX idx_fifo_allocations_version ON fifo_allocations(allocation_version, symbol, seq);
CREATE INDEX idx_fifo_allocations_batch ON fifo_allocations(allocation_batch_id);
CREATE UNIQUE INDEX idx_fifo_allocations_unique
    ON fifo_allocations(sell_order_id, buy_order_id, allocation_version);

-- One row per computation run. symbols_processed is a JSON array of strings.
CREATE TABLE fifo_computation_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol TEXT,
    allocation_version INTEGER NOT NULL CHECK (allocation_version > 0),
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
    -- Who runs it ("pid:<pid>:<start ticks>@<host>"), to find abandoned runs.
    owner TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
);

CREATE INDEX idx_fifo_computation_log_version ON fifo_computation_log(allocation_version);
CREATE INDEX idx_fifo_computation_log_batch ON fifo_computation_log(allocation_batch_id);
CREATE INDEX idx_fifo_computation_log_status ON fifo_computation_log(status, computation_start DESC);
-- A version belongs to one full or symbol run; incremental runs extend it.
CREATE UNIQUE INDEX idx_fifo_computation_log_version_owner
    ON fifo_computation_log(allocation_version) WHERE computation_mode <> 'incremental';

-- The open lots of each symbol at the end of a version, enough to restore
-- an OpenLot exactly. lot_seq keeps the engine order.
CREATE TABLE fifo_inventory_snapshot (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    buy_order_id TEXT NOT NULL REFERENCES trade_records(order_id),
    remaining_size TEXT NOT NULL,
    snapshot_time TEXT NOT NULL,
    allocation_version INTEGER NOT NULL,
    lot_seq INTEGER NOT NULL,
    buy_time TEXT NOT NULL,
    price TEXT NOT NULL,
    size TEXT NOT NULL,
    total_fees_usd TEXT NOT NULL,
    consumed_size TEXT NOT NULL,
    consumed_fee_share TEXT NOT NULL,
    UNIQUE (symbol, buy_order_id, allocation_version)
);

CREATE INDEX idx_inventory_snapshot_symbol_version
    ON fifo_inventory_snapshot(symbol, allocation_version, snapshot_time DESC);

-- One row per (version, symbol) the version covers: the last trade it
-- includes (NULL when the symbol had none) and the ingest_seq it had seen.
CREATE TABLE fifo_snapshot_watermark (
    allocation_version INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    hwm_time TEXT,
    hwm_order_id TEXT,
    ingest_seq_seen INTEGER NOT NULL DEFAULT 0,
    snapshot_time TEXT NOT NULL,
    PRIMARY KEY (allocation_version, symbol),
    CHECK ((hwm_time IS NULL) = (hwm_order_id IS NULL))
);

-- Issues that need a human (ERRATA 3: every unmatched sell).
CREATE TABLE manual_review_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES trade_records(order_id),
    symbol TEXT,
    issue_type TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution_note TEXT,
    resolved_at TEXT,
    allocation_version INTEGER,
    details TEXT,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);

CREATE INDEX idx_manual_review_queue_status ON manual_review_queue(status, created_at);
-- At most one open item per order and issue: recomputations refresh it.
CREATE UNIQUE INDEX idx_manual_review_queue_open
    ON manual_review_queue(order_id, issue_type) WHERE status = 'open';

-- Views read the latest COMPLETED version only (ERRATA 4). Money columns are
-- left out in SQLite: summing decimal TEXT would go through doubles. Use
-- `fifoctl pnl-report` (exact) for amounts.
CREATE VIEW v_latest_completed_version AS
SELECT MAX(allocation_version) AS version
  FROM fifo_computation_log
 WHERE status = 'completed';

CREATE VIEW v_allocation_health AS
SELECT a.allocation_version AS allocation_version,
       COUNT(*) AS total_allocations,
       COUNT(a.buy_order_id) AS matched_allocations,
       COUNT(*) - COUNT(a.buy_order_id) AS unmatched_allocations,
       COUNT(DISTINCT a.sell_order_id) AS sells_allocated,
       COUNT(DISTINCT a.buy_order_id) AS buys_used,
       MIN(a.allocation_time) AS first_allocation,
       MAX(a.allocation_time) AS last_allocation
  FROM fifo_allocations a
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
  FROM fifo_allocations a
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
  FROM fifo_allocations a
  JOIN v_latest_completed_version lv ON a.allocation_version = lv.version
 GROUP BY a.symbol, a.allocation_version;
